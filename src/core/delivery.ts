import type { SourceRecord } from './source-record.ts';

/** Opaque positions of the sinks that can roll back (see Sink.position), keyed by sink name. */
export type SinkPositions = Readonly<Record<string, string>>;

/**
 * Transforms records (normalize, detect, store) and writes them to every sink.
 * Resolves once every sink acknowledged, with the sink positions the caller must store atomically
 * with its own checkpoint. Rejects (DeliveryError) if a sink failed: the caller commits nothing and retries.
 */
export type DeliverFn = (records: readonly SourceRecord[]) => Promise<SinkPositions>;

/** The port between sources and the rest of the pipeline. */
export interface Delivery {
  /**
   * Runs `fn` with exclusive use of the sinks: no other delivery happens until it settles.
   * Sources use it to make "drop already-seen ids → deliver → commit checkpoint" one atomic step,
   * so a crash can never leave an acknowledged write without its checkpoint (or the reverse) unnoticed.
   * If `fn` throws, the sinks that can roll back are returned to where they were when `fn` started, so
   * committing the checkpoint must be the last thing `fn` does: anything that fails after it must not throw.
   */
  exclusive<T>(fn: (deliver: DeliverFn) => Promise<T>): Promise<T>;
  /**
   * Resolves when a new batch can be stored: while local storage is full (an output file, a spool or the store
   * failed with ENOSPC) it waits, checking periodically, so sources fetch nothing that cannot be stored.
   * Resolves early when `signal` aborts.
   */
  ready?(signal?: AbortSignal): Promise<void>;
}
