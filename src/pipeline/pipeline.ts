import { Mutex } from 'async-mutex';
import type { Alert } from '../core/alert.ts';
import { isAuditRecord, type AuditRecord } from '../core/audit-record.ts';
import type { DeliverFn, Delivery, SinkPositions } from '../core/delivery.ts';
import type { OutputEvent } from '../core/output-event.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { Sink } from '../core/sink.ts';
import type { SourceRecord } from '../core/source-record.ts';
import type { Logger } from '../observability/logger.ts';
import { alertDocument, deadLetterDocument, eventDocument, storedEcsText, type OutputFormat } from './documents.ts';
import { pipelineMetrics } from './metrics.ts';
import { latestAlertVersions } from './latest-alert-versions.ts';
import { freeBytes, isDiskFull, StorageFullError } from '../sinks/disk-full.ts';
import { sleep } from '../sinks/delivery/sleep.ts';
import { SinkError } from '../sinks/errors.ts';
import { loadEcsNormalizer, processRecord, type EcsNormalizer, type Enrich, type EventDetector } from './processor.ts';

/**
 * Where the pipeline keeps events and alerts for the web page (src/store). A store may write in the background (its
 * writer thread, or PostgreSQL): `flush` resolves once what it was given is committed, and rejects if that failed.
 */
export interface EmbeddedStore {
  insertEvents(events: ProcessedEvent[]): void;
  insertAlerts(alerts: Alert[]): void;
  flush?(): Promise<void>;
}

export interface PipelineOptions {
  /** Every sink receives every output; each passes on only the kinds it is configured for. */
  sinks: Sink[];
  format: OutputFormat;
  /** Which records go through at all (config `filters`); the others are counted and dropped before normalization. */
  keep?: (record: AuditRecord, tenant: { tenantId: string; tenantName: string }) => boolean;
  /** Runs on each ECS document right after normalization, before detection. */
  enrich?: Enrich;
  detector?: EventDetector;
  store?: EmbeddedStore;
  /** The folder of the store's files: while the store cannot be written (disk full), its free space is watched. */
  storeDir?: string;
  logger: Logger;
  now?: () => number;
  /** While local storage is full: how often `ready()` checks whether space is back (default 5 s). */
  storageRetryMs?: number;
  /** Free bytes a full folder must have again before collection resumes (default 4 MiB). */
  storageMinFreeBytes?: number;
  /** Called once if the pipeline cannot continue safely (the process should exit; a restart recovers). */
  onFatal?: (err: Error) => void;
}

/**
 * The transforms and sinks between the sources and the outside world:
 * validate → normalize → detect → embedded store → every sink, in parallel.
 * Implements the Delivery port: a batch is acknowledged only when every sink acknowledged it.
 */
export class Pipeline implements Delivery {
  readonly #mutex = new Mutex();
  readonly #options: PipelineOptions;
  readonly #now: () => number;
  readonly #deliver: DeliverFn = (records) => this.#deliverBatch(records);
  /** Set when uncommitted output could not be rolled back: nothing more is delivered until a restart. */
  #broken: SinkError | undefined;
  /** Alerts from closed correlation windows, sent to the sinks with the next batch (so they share its checkpoint). */
  #pendingAlerts: Alert[] = [];
  /** Set while a batch failed because local storage is full: `ready()` holds the sources until space is back. */
  #storageFull: { message: string; dirs: Set<string>; since: number } | undefined;
  #storeFailure: { message: string; at: number } | undefined;
  /** The ECS normalizer, loaded with the first batch when anything reads ECS (format, detection or store). */
  #normalizer: Promise<EcsNormalizer> | undefined;

  constructor(options: PipelineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Opens every sink at the position committed with the last checkpoint, and returns every sink's position
   * right after opening: the caller records it as the baseline of a sink that never had a checkpoint, so
   * output written before the first checkpoint is rolled back too if the process dies before it.
   */
  async open(committed: SinkPositions): Promise<SinkPositions> {
    const opened: Record<string, string> = {};
    for (const sink of this.#options.sinks) {
      await sink.open(committed[sink.name]);
      sink.commit?.();
      const position = sink.position?.();
      if (position !== undefined) opened[sink.name] = position;
    }
    return opened;
  }

  async close(): Promise<void> {
    await this.#mutex.waitForUnlock();
    for (const sink of this.#options.sinks) await sink.close();
  }

  exclusive<T>(fn: (deliver: DeliverFn) => Promise<T>): Promise<T> {
    return this.#mutex.runExclusive(async () => {
      if (this.#broken) throw this.#broken;
      const before = this.#positions();
      try {
        const result = await fn(this.#deliver);
        // fn ends with the checkpoint commit: what the sinks hold now can no longer be rolled back.
        for (const sink of this.#options.sinks) sink.commit?.();
        return result;
      } catch (err) {
        // The batch is delivered again: its effect on correlations must not count twice.
        this.#options.detector?.rollback?.();
        await this.#rollBack(before);
        if (isDiskFull(err)) this.#noteStorageFull(err);
        throw err;
      }
    });
  }

  #noteStorageFull(err: unknown): void {
    const dirs = this.#storageFull?.dirs ?? new Set<string>();
    for (const e of err instanceof AggregateError ? err.errors : [err])
      if (e instanceof StorageFullError && e.dir) dirs.add(e.dir);
    if (!this.#storageFull)
      this.#options.logger.error(
        { err: (err as Error).message, dirs: [...dirs] },
        'local storage is full: collection pauses until space is back (nothing is lost)',
      );
    this.#storageFull = { message: (err as Error).message, dirs, since: this.#storageFull?.since ?? this.#now() };
  }

  /** Why collection is paused (local storage full), if it is. */
  paused(): { message: string; since: number } | undefined {
    const full = this.#storageFull;
    return full ? { message: full.message, since: full.since } : undefined;
  }

  /**
   * Resolves at once unless a batch failed on a full disk; then checks every `storageRetryMs` until each full
   * folder has `storageMinFreeBytes` free again (when the folder is unknown, e.g. the store, the next batch is the
   * probe). Sources await it before fetching, so nothing is fetched that cannot be stored.
   */
  async ready(signal?: AbortSignal): Promise<void> {
    while (this.#storageFull && !signal?.aborted) {
      await sleep(this.#options.storageRetryMs ?? 5000, signal);
      const full = this.#storageFull;
      if (!full || signal?.aborted) return;
      const min = this.#options.storageMinFreeBytes ?? 4 * 1024 * 1024;
      const free = await Promise.all([...full.dirs].map((dir) => freeBytes(dir)));
      if (free.every((bytes) => bytes === undefined || bytes >= min)) {
        this.#options.logger.info({ dirs: [...full.dirs] }, 'local storage has space again: collection resumes');
        this.#storageFull = undefined;
      }
    }
  }

  #positions(): Map<Sink, string | undefined> {
    return new Map(this.#options.sinks.map((sink) => [sink, sink.position?.()]));
  }

  /**
   * A delivery or its checkpoint failed: output written since `before` was never committed. Sinks that can roll back
   * are reopened at their position from before, as after a crash, so the retry does not write those events twice.
   */
  async #rollBack(before: Map<Sink, string | undefined>): Promise<void> {
    for (const [sink, position] of before) {
      if (sink.position?.() === position) continue;
      try {
        if (sink.rollBack && position !== undefined) await sink.rollBack(position);
        else {
          await sink.close();
          await sink.open(position);
        }
        this.#options.logger.warn({ sink: sink.name, position }, 'rolled back output that was not committed');
      } catch (err) {
        this.#broken = new SinkError(
          sink.name,
          `cannot roll back uncommitted output (${(err as Error).message}); restart to recover from the last checkpoint`,
          { cause: err },
        );
        this.#options.logger.fatal({ err: this.#broken }, 'pipeline stopped');
        this.#options.onFatal?.(this.#broken);
        return;
      }
    }
  }

  /**
   * Closes the correlation windows each tenant's watermark (event time) has passed: their alerts are stored at once
   * (the web page shows them) and reach the sinks with the next delivered batch.
   */
  flushDetections(): Promise<number> {
    const { detector, store, logger } = this.#options;
    if (!detector) return Promise.resolve(0);
    return this.#mutex.runExclusive(async () => {
      let alerts: Alert[];
      try {
        alerts = detector.flush();
      } catch (err) {
        logger.error({ err }, 'closing correlation windows failed');
        return 0;
      }
      if (alerts.length > 0) {
        this.#pendingAlerts.push(...alerts);
        try {
          store?.insertAlerts(alerts);
          await store?.flush?.();
        } catch (err) {
          // They still reach the sinks with the next batch; the page misses them until they are raised again.
          logger.error({ err }, 'storing the alerts of closed correlation windows failed');
        }
      }
      return alerts.length;
    });
  }

  async #deliverBatch(records: readonly SourceRecord[]): Promise<SinkPositions> {
    const { detector, format, logger, enrich, keep } = this.#options;
    const normalizer =
      format !== 'raw' || detector !== undefined || this.#options.store !== undefined
        ? await (this.#normalizer ??= loadEcsNormalizer())
        : undefined;
    const events: ProcessedEvent[] = [];
    const outputs: OutputEvent[] = [];
    const alerts: Alert[] = [];
    const at = this.#now();
    const deadIds = new Map<string, number>();
    for (const record of records) {
      if (keep && isAuditRecord(record.record) && !keep(record.record, record)) {
        pipelineMetrics.filtered.inc({ tenant: record.tenantName });
        continue;
      }
      const processed = processRecord(record, enrich, normalizer);
      if (!processed.ok) {
        pipelineMetrics.deadLetters.inc({ tenant: record.tenantName });
        logger.warn(
          { tenant: record.tenantName, contentId: record.contentId, reason: processed.deadLetter.reason },
          'record sent to dead-letter output',
        );
        const dead = deadLetterDocument(processed.deadLetter, at);
        const ordinal = deadIds.get(dead.id) ?? 0;
        deadIds.set(dead.id, ordinal + 1);
        outputs.push(ordinal === 0 ? dead : deadLetterDocument(processed.deadLetter, at, ordinal));
        continue;
      }
      const output = eventDocument(processed.event, format);
      if (this.#options.store) processed.event.ecsText = storedEcsText(processed.event, output, format);
      events.push(processed.event);
      outputs.push(output);
      if (detector) alerts.push(...this.#detect(detector, processed.event));
    }
    const pending = this.#pendingAlerts;
    const raised = latestAlertVersions(alerts);
    for (const alert of latestAlertVersions([...pending, ...raised])) outputs.push(alertDocument(alert));
    // Given to the store first: a store that writes in the background (its writer thread, PostgreSQL) stores them
    // while the sinks write. The checkpoint waits for both; an insert before a failed checkpoint is harmless (the
    // store drops repeats by id), a checkpoint before a failed insert would lose events from the page.
    const stored = this.#insertIntoStore(events, raised);
    // Handled from now on (awaited below, after the sinks): a store failure meanwhile is not an unhandled rejection.
    stored.catch(() => {});
    let positions: SinkPositions;
    try {
      positions = await this.#writeToSinks(outputs);
    } catch (err) {
      // The sinks' error is the one reported (a full disk names the output); the store's is only noted.
      await stored.catch(() => {});
      throw err;
    }
    await stored;
    this.#pendingAlerts = this.#pendingAlerts.slice(pending.length);
    for (const e of events) pipelineMetrics.events.inc({ tenant: e.tenantName });
    for (const a of raised) pipelineMetrics.alerts.inc({ tenant: a.tenantName ?? a.tenantId, level: a.level });
    return positions;
  }

  /** Hands the batch to the store; resolves once the store committed it (at once for a store that writes inline). */
  async #insertIntoStore(events: ProcessedEvent[], alerts: Alert[]): Promise<void> {
    const { store } = this.#options;
    if (!store) return;
    try {
      store.insertEvents(events);
      if (alerts.length > 0) store.insertAlerts(alerts);
      await store.flush?.();
    } catch (err) {
      if (!isDiskFull(err)) throw err;
      const message = `cannot write to the store: ${(err as Error).message}`;
      this.#storeFailure = { message, at: this.#now() };
      throw new StorageFullError('store', this.#options.storeDir ?? '', message, { cause: err });
    }
    this.#storeFailure = undefined;
  }

  /** Set while the embedded store cannot be written (disk full), for the health page. */
  storeFailure(): { message: string; at: number } | undefined {
    return this.#storeFailure;
  }

  #detect(detector: EventDetector, event: ProcessedEvent): Alert[] {
    try {
      return detector
        .process({
          id: event.id,
          tenantId: event.tenantId,
          tenantName: event.tenantName,
          time: event.time,
          ecs: event.ecs,
          raw: event.raw,
        })
        .map((a) => ({ ...a, tenantName: a.tenantName ?? event.tenantName }));
    } catch (err) {
      this.#options.logger.error({ err, event: event.id }, 'detection failed for an event; the event is still delivered');
      return [];
    }
  }

  async #writeToSinks(outputs: OutputEvent[]): Promise<SinkPositions> {
    const positions: Record<string, string> = {};
    const results = await Promise.allSettled(
      this.#options.sinks.map(async (sink) => {
        const stop = pipelineMetrics.sinkWrite.startTimer({ sink: sink.name });
        try {
          await sink.write(outputs);
        } catch (err) {
          pipelineMetrics.sinkFailures.inc({ sink: sink.name });
          throw err;
        } finally {
          stop();
        }
        const position = sink.position?.();
        if (position !== undefined) positions[sink.name] = position;
      }),
    );
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    // Every sink's failure is kept: a disk-full one among them must pause collection.
    if (failed.length === 1) throw failed[0];
    if (failed.length > 1)
      throw new AggregateError(failed, failed.map((e) => (e as Error).message).join('; '), { cause: failed[0] });
    return positions;
  }
}
