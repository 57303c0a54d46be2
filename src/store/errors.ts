import { IntakeError } from '../core/errors.ts';

/** The embedded store could not be opened or used (disk full, corrupt file, bad query…). */
export class StoreError extends IntakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_ERROR', message, options);
  }
}

/** A search query is invalid: `field` names the offending parameter. */
export class StoreQueryError extends IntakeError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('STORE_QUERY_INVALID', `${field}: ${message}`);
    this.field = field;
  }
}
