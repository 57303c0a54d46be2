import { IntakeError } from '../core/errors.ts';

/** A search query that cannot be parsed or run: `position` is the 0-based offset of the mistake in the query. */
export class QuerySyntaxError extends IntakeError {
  readonly position: number;
  readonly reason: string;
  constructor(reason: string, position: number) {
    super('QUERY_SYNTAX', `${reason} (at character ${position + 1})`);
    this.reason = reason;
    this.position = position;
  }
}
