import { IntakeError } from '../core/errors.ts';

/** A request parameter is invalid: `field` names it. Answered with HTTP 400. */
export class WebQueryError extends IntakeError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('WEB_QUERY_INVALID', `${field}: ${message}`);
    this.field = field;
  }
}

/** The web server could not start (port in use, unreadable token file…). */
export class WebServerError extends IntakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WEB_SERVER_ERROR', message, options);
  }
}
