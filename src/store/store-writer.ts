import type { Worker } from 'node:worker_threads';
import type { Alert } from '../core/alert.ts';
import { StoreError } from './errors.ts';
import type { EventRow } from './event-writes.ts';
import type { RetentionLimits } from './retention.ts';
import { startWorker } from '../core/start-worker.ts';
import type { RetentionResult } from './types.ts';

export interface WriterData {
  path: string;
  maxSizeBytes: number;
  limits: RetentionLimits;
}

export type WriterRequest =
  | { id: number; op: 'events'; rows: EventRow[]; now: number }
  | { id: number; op: 'alerts'; alerts: Alert[] }
  | { id: number; op: 'retention'; now: number }
  | { id: number; op: 'close' };

export type WriterReply =
  | { id: number; result: number | RetentionResult }
  | { id: number; error: { message: string; code?: string } };

/** A request before it is given its id (Omit applied to each member of the union). */
type Request<R = WriterRequest> = R extends WriterRequest ? Omit<R, 'id'> : never;

interface Call {
  worker: Worker;
  what: string;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

/** What each request does, for its error message. */
const WHAT: Record<WriterRequest['op'], string> = {
  events: 'storing events',
  alerts: 'storing alerts',
  retention: 'applying retention',
  close: 'closing the store',
};

/**
 * The main thread's side of the store's writer thread (store-writer-thread.ts). Inserts are queued (`insertEvents`
 * returns at once) and written in order; `flush()` resolves once everything queued before it is committed, and
 * rejects with the first write that failed since the last flush (its error keeps SQLite's code, so a full disk is
 * recognised as one). A thread that stops fails what it had, and the next write starts a new one.
 */
export class StoreWriter {
  readonly #data: WriterData;
  readonly #calls = new Map<number, Call>();
  readonly #queued = new Set<Promise<unknown>>();
  #worker: Worker | undefined;
  #nextId = 1;
  #failure: Error | undefined;
  #closed = false;

  constructor(data: WriterData) {
    this.#data = data;
  }

  insertEvents(rows: EventRow[], now: number): void {
    if (rows.length > 0) this.#queue({ op: 'events', rows, now });
  }

  insertAlerts(alerts: Alert[]): void {
    if (alerts.length > 0) this.#queue({ op: 'alerts', alerts });
  }

  applyRetention(now: number): Promise<RetentionResult> {
    return this.#call({ op: 'retention', now }) as Promise<RetentionResult>;
  }

  async flush(): Promise<void> {
    while (this.#queued.size > 0) await Promise.allSettled([...this.#queued]);
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure) throw failure;
  }

  /** Waits for the queued writes (their failure is not reported: the store is closing), then stops the thread. */
  async close(): Promise<void> {
    await this.flush().catch(() => {});
    this.#closed = true;
    const worker = this.#worker;
    if (!worker) return;
    await this.#call({ op: 'close' }, true).catch(() => {});
    await worker.terminate();
  }

  #queue(request: Request): void {
    const done = this.#call(request).then(
      () => {},
      (err: Error) => {
        this.#failure ??= err;
      },
    );
    this.#queued.add(done);
    void done.finally(() => this.#queued.delete(done));
  }

  #call(request: Request, closing = false): Promise<unknown> {
    if (this.#closed && !closing) return Promise.reject(new StoreError(`${WHAT[request.op]} failed: the store is closed`));
    const worker = (this.#worker ??= this.#start());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#calls.set(id, { worker, what: WHAT[request.op], resolve, reject });
      // Kept alive while it has work (the process does not exit with writes in flight), not when idle.
      worker.ref();
      worker.postMessage({ ...request, id });
    });
  }

  #start(): Worker {
    const worker = startWorker(import.meta.url, 'store-writer-thread', this.#data);
    worker.unref();
    worker.on('message', (reply: WriterReply) => {
      const call = this.#calls.get(reply.id);
      if (!call) return;
      this.#calls.delete(reply.id);
      if (![...this.#calls.values()].some((c) => c.worker === worker)) worker.unref();
      if ('error' in reply) {
        const cause = Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {});
        call.reject(new StoreError(`${call.what} failed: ${reply.error.message}`, { cause }));
      } else call.resolve(reply.result);
    });
    const stopped = (reason: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const [id, call] of this.#calls) {
        if (call.worker !== worker) continue;
        this.#calls.delete(id);
        call.reject(new StoreError(`${call.what} failed: the store's writer thread stopped (${reason})`));
      }
    };
    worker.on('error', (err) => stopped(err.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    return worker;
  }
}
