import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret } from '../core/secret.ts';
import { WebServerError } from './errors.ts';

export const TOKEN_FILE = 'web-token';

export interface ResolvedToken {
  token: Secret;
  /** True when the token was generated now (first start): the caller prints it once. */
  generated: boolean;
  /** Where a generated token is kept, for the message the caller prints. */
  file?: string;
}

/**
 * The token of the UI and API: the configured one, else the one persisted in `<dataDir>/web-token`,
 * else a new random one written there (mode 0600) so restarts keep it.
 */
export function resolveAuthToken(configured: Secret | undefined, dataDir: string): ResolvedToken {
  if (configured) return { token: configured, generated: false };
  const file = join(dataDir, TOKEN_FILE);
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new WebServerError(`cannot read the web token file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: err,
      });
    }
  }
  if (existing) return { token: new Secret(existing), generated: false, file };
  const token = randomBytes(24).toString('base64url');
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  } catch (err) {
    throw new WebServerError(`cannot write the web token file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: err,
    });
  }
  return { token: new Secret(token), generated: true, file };
}
