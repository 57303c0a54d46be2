import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (client secret, private key, intake key, token). It never prints itself:
 * String(), JSON.stringify() and util.inspect() all give "[redacted]". Call reveal() at the
 * single place the value is really needed.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
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
