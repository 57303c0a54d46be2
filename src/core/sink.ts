import type { OutputEvent } from './output-event.ts';

/**
 * An output. Delivery is acknowledgement-based: `write` resolves only once the destination
 * has durably accepted every event of the batch (or a durable disk spool in front of it has).
 * The collector commits its checkpoint only after every sink's `write` resolved.
 *
 * Exactly-once for local outputs: a sink that can roll back (file, spool) reports an opaque
 * `position()` after each acknowledged write; the pipeline stores it atomically with the
 * checkpoint, and on the next start passes it to `open`, where the sink discards anything
 * written after it (those events are fetched and written again).
 */
export interface Sink {
  readonly name: string;
  open(committedPosition?: string): Promise<void>;
  write(events: readonly OutputEvent[]): Promise<void>;
  position?(): string | undefined;
  /** What was written so far is committed with a checkpoint (a spool then releases it to its destination). */
  commit?(): void;
  /** Discards what was written after `position` without a close/open (which may need disk space); else the pipeline reopens. */
  rollBack?(position: string): Promise<void>;
  close(): Promise<void>;
}
