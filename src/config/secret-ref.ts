import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from '../core/secret.ts';

/**
 * A secret in the config: a literal, `${ENV_VAR}` (expanded by the loader for every string),
 * or `file:/path/to/file` (trailing newline trimmed). Parses to a Secret so it is never logged.
 */
export const secret = z
  .string()
  .min(1, 'must not be empty')
  .transform((raw, ctx) => {
    let value = raw;
    if (value.startsWith('file:')) {
      const path = value.slice('file:'.length);
      try {
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          message: `cannot read secret file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        });
        return z.NEVER;
      }
    }
    if (value.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'resolves to an empty value' });
      return z.NEVER;
    }
    return new Secret(value);
  });
