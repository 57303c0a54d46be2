import { IntakeError } from '../core/errors.ts';

/** A sink could not deliver; `sink` names which one. Nothing is committed for the batch. */
export class SinkError extends IntakeError {
  readonly sink: string;
  constructor(sink: string, message: string, options?: { cause?: unknown }) {
    super('SINK_FAILED', `sink ${sink}: ${message}`, options);
    this.sink = sink;
  }
}
