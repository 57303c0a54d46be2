import type { Worker } from 'node:worker_threads';
import type { EventReads } from './event-reads.ts';
import { StoreError, StoreQueryError } from './errors.ts';
import { deserializeError, type SerializedError } from './query-errors.ts';
import type { QueryRequest } from './query-worker.ts';
import { startWorker } from '../core/start-worker.ts';

/** A search ran longer than its time limit, or its client went away: the worker running it was stopped. */
export class QueryCancelledError extends StoreQueryError {
  readonly timedOut: boolean;
  constructor(timedOut: boolean, limitMs: number) {
    super(
      'q',
      timedOut
        ? `the search took longer than ${limitMs / 1000} s and was stopped: narrow the time range or the query`
        : 'the search was cancelled',
    );
    this.timedOut = timedOut;
  }
}

type Op = keyof EventReads;
type ResultOf<K extends Op> = ReturnType<EventReads[K]>;

interface Job {
  request: QueryRequest;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Slot {
  worker: Worker;
  /** The worker opened its connections (its start-up does not count against a query's time limit). */
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

export interface QueryPoolOptions {
  /** Worker threads (each with its own read-only connection). */
  size: number;
  /** Longest a query may run before its worker is stopped. */
  timeoutMs: number;
}

/**
 * Runs the store's searches in worker threads: the collecting event loop never waits on SQLite for a search.
 * A query past its time limit, or whose AbortSignal fires (the HTTP client went away), is stopped by terminating
 * its worker; a fresh one takes its place when the next search comes.
 */
export class QueryPool {
  readonly #path: string;
  readonly #options: QueryPoolOptions;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(path: string, options: QueryPoolOptions) {
    this.#path = path;
    this.#options = options;
  }

  /** Queries running in a worker now. */
  get running(): number {
    return this.#slots.filter((slot) => slot.job).length;
  }

  run<K extends Op>(op: K, args: Parameters<EventReads[K]>, signal?: AbortSignal): Promise<ResultOf<K>> {
    if (this.#closed) return Promise.reject(new Error('the query pool is closed'));
    if (signal?.aborted) return Promise.reject(new QueryCancelledError(false, this.#options.timeoutMs));
    return new Promise<ResultOf<K>>((resolve, reject) => {
      const job: Job = { request: { id: this.#nextId++, op, args }, resolve: resolve as (v: unknown) => void, reject };
      if (signal) {
        job.signal = signal;
        job.onAbort = () => this.#cancel(job, false);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) this.#settle(job, new Error('the query pool is closed'));
    await Promise.all(
      this.#slots.map(async (slot) => {
        clearTimeout(slot.timer);
        if (slot.job) this.#settle(slot.job, new Error('the query pool is closed'));
        slot.job = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  #spawn(): Slot {
    const worker = startWorker(import.meta.url, 'query-worker', { path: this.#path });
    worker.unref();
    const slot: Slot = { worker, ready: false };
    worker.on('message', (message: { ready?: true; id: number; result?: unknown; error?: SerializedError }) => {
      if (message.ready) {
        slot.ready = true;
        this.#dispatch();
        return;
      }
      const job = slot.job;
      if (!job || job.request.id !== message.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (message.error) this.#settle(job, deserializeError(message.error));
      else this.#settle(job, undefined, message.result);
      this.#dispatch();
    });
    worker.on('error', (err) => {
      // A worker that cannot even start (unreadable file…) fails the waiting searches instead of restarting in a loop.
      if (!slot.ready)
        for (const job of this.#queue.splice(0)) this.#settle(job, new StoreError(`cannot start a query worker: ${err.message}`));
      this.#replace(slot, err);
    });
    worker.on('exit', () => {
      if (!this.#closed && this.#slots.includes(slot)) this.#replace(slot, new Error('a query worker stopped'));
    });
    return slot;
  }

  /** Gives queued jobs to idle workers, starting workers on demand (none run before the first search). */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.ready && !s.job);
      if (!slot) {
        const starting = this.#slots.filter((s) => !s.ready).length;
        if (this.#slots.length < this.#options.size && starting < this.#queue.length) this.#slots.push(this.#spawn());
        return;
      }
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.timer = setTimeout(() => this.#cancel(job, true), this.#options.timeoutMs);
      slot.worker.postMessage(job.request);
    }
  }

  #cancel(job: Job, timedOut: boolean): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    const slot = this.#slots.find((s) => s.job === job);
    this.#settle(job, new QueryCancelledError(timedOut, this.#options.timeoutMs));
    if (slot) this.#replace(slot);
  }

  /** Stops a slot's worker (failing its job if it still has one) and starts a fresh one in its place. */
  #replace(slot: Slot, err?: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    clearTimeout(slot.timer);
    if (slot.job) this.#settle(slot.job, err ?? new Error('a query worker stopped'));
    slot.job = undefined;
    this.#slots.splice(index, 1);
    void slot.worker.terminate();
    if (!this.#closed) this.#dispatch();
  }

  #settle(job: Job, err?: Error, result?: unknown): void {
    if (job.signal && job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
    if (err) job.reject(err);
    else job.resolve(result);
  }
}
