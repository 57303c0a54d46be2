import { inspect } from 'node:util';
import { registerSecret } from './scrub-secrets.ts';

const REDACTED = '[redacted]';

/**
 * A secret value (client secret, private key, intake key, token). It never prints itself:
 * String(), JSON.stringify() and util.inspect() all give "[redacted]". Call reveal() at the
 * single place the value is really needed. Its value is registered with the shared scrubber (scrub-secrets.ts).
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
    // Scrubbed from every log line, stored error and health answer, even when a remote server echoes it.
    registerSecret(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Every Secret value found anywhere in a config object (sink configs: intake keys, passwords, tokens, secret headers). */
export function secretsIn(value: unknown, found: string[] = []): string[] {
  if (value instanceof Secret) {
    const revealed = value.reveal();
    if (revealed.length > 0) found.push(revealed);
  } else if (Array.isArray(value)) {
    for (const item of value) secretsIn(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) secretsIn(item, found);
  }
  return found;
}
