import { IntakeError } from '../core/errors.ts';
import type { OutputEvent } from '../core/output-event.ts';

/** A sink could not deliver; `sink` names which one. Nothing is committed for the batch. */
export class SinkError extends IntakeError {
  readonly sink: string;
  constructor(sink: string, message: string, options?: { cause?: unknown }) {
    super('SINK_FAILED', `sink ${sink}: ${message}`, options);
    this.sink = sink;
  }
}

/**
 * The destination is unreachable or overloaded (network error, 5xx, 429) after the write's retries.
 * `remaining` holds the events of the batch that were not delivered (those before them were):
 * retrying with `remaining` only avoids duplicates.
 */
export class SinkUnavailableError extends IntakeError {
  readonly sink: string;
  readonly remaining: readonly OutputEvent[];
  constructor(sink: string, message: string, remaining: readonly OutputEvent[], options?: { cause?: unknown }) {
    super('SINK_UNAVAILABLE', `sink ${sink}: ${message}`, options);
    this.sink = sink;
    this.remaining = remaining;
  }
}

/**
 * The destination refused a whole request for a reason of configuration (HTTP 401/403/404: credentials,
 * intake key, URL or index): no event was delivered or dead-lettered; `remaining` holds them all to keep.
 */
export class SinkMisconfiguredError extends SinkUnavailableError {
  override readonly code = 'SINK_MISCONFIGURED';
}

/** Another live process holds this spool folder (two collectors must not share a data_dir). */
export class SpoolInUseError extends IntakeError {
  constructor(dir: string, pid: number) {
    super('SPOOL_IN_USE', `spool ${dir} is in use by process ${pid}; give each collector its own data_dir`);
  }
}
