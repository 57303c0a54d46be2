import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/start-worker.ts';

export type CheckpointRequest = 'checkpoint' | 'close';
export type CheckpointReply = { frames: number } | { error: string; code?: string | undefined };

export interface WalCheckpointerOptions {
  /** Least time between two checkpoints (ms). */
  intervalMs?: number;
  /** A checkpoint failed (a full disk…); the next commit asks again. */
  onError: (message: string, code: string | undefined) => void;
  /** The thread stopped for good: the owner checkpoints on its own connection again. */
  onStopped: (reason: string) => void;
}

/**
 * Runs the WAL checkpoints of a SQLite file on a thread of its own, so that a commit on the owner's connection never
 * waits for one (copying every page the WAL holds into the database file, then fsync: ~12 µs per event of the main
 * thread with detection state, bench/pipeline). The owner raises its own `wal_autocheckpoint` far above what this keeps
 * the WAL to, as a bound should the thread fall behind, and calls `committed()` after each commit: a checkpoint starts
 * when none is running and the last started at least `intervalMs` ago. The thread keeps no work pending when idle
 * and does not keep the process alive.
 */
export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #intervalMs: number;
  readonly #options: WalCheckpointerOptions;
  #running = false;
  #lastStart = Number.NEGATIVE_INFINITY;
  #stopped = false;
  #checkpoints = 0;
  readonly #exited: Promise<void>;

  constructor(path: string, options: WalCheckpointerOptions) {
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#options = options;
    this.#worker = startWorker(import.meta.url, 'wal-checkpoint-thread', { path });
    this.#worker.unref();
    this.#worker.on('message', (reply: CheckpointReply) => {
      this.#running = false;
      // Closing keeps the thread referenced until it has exited.
      if (!this.#stopped) this.#worker.unref();
      if ('error' in reply) options.onError(reply.error, reply.code);
      else this.#checkpoints++;
    });
    this.#worker.on('error', (err) => this.#stop(err.message));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#stop(`exit code ${code}`);
        resolve();
      });
    });
  }

  /** Checkpoints completed so far. */
  get checkpoints(): number {
    return this.#checkpoints;
  }

  /** A commit added to the WAL. */
  committed(now = Date.now()): void {
    if (this.#stopped || this.#running || now - this.#lastStart < this.#intervalMs) return;
    this.#running = true;
    this.#lastStart = now;
    this.#worker.ref();
    this.#worker.postMessage('checkpoint' satisfies CheckpointRequest);
  }

  /** Stops the thread (a running checkpoint completes first). */
  async close(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#worker.ref();
      this.#worker.postMessage('close' satisfies CheckpointRequest);
    }
    await this.#exited;
  }

  #stop(reason: string): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#options.onStopped(reason);
  }
}
