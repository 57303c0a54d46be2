import type { OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { backoffDelay } from '../../core/retry-timing.ts';
import { sleep } from '../delivery/sleep.ts';
import { SinkError, SinkMisconfiguredError, SinkUnavailableError } from '../errors.ts';
import { spoolPendingBytes } from '../metrics.ts';
import { DiskQueue } from './disk-queue.ts';
import { spoolPayload } from './spool-payload.ts';

export interface SpooledSinkOptions {
  dir: string;
  /** Most bytes spooled and not yet delivered; a write waits while the spool is full. */
  maxBytes: number;
  segmentBytes: number;
  /** Most spooled batches (frames) merged into one write to the inner sink. */
  drainMaxFrames?: number;
  /** Backoff between failed deliveries of the same batch. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How long `close` waits for an in-flight delivery before closing the inner sink under it. */
  closeGraceMs?: number;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

export interface SpoolStats {
  pendingBytes: number;
  deliveredEvents: number;
  lastDeliveryAt?: number;
  lastError?: { message: string; at: number };
  /** Set while the destination refuses our requests (401/403/404): delivery is stopped, retried periodically. */
  refused?: { message: string; at: number };
  /** Set while appends to the spool fail (disk full): cleared by the next append that succeeds. */
  appendFailure?: { message: string; at: number };
}

/**
 * Puts a durable disk spool in front of a (network) sink. `write` resolves once the batch is fsynced
 * to the spool, so a slow or down destination never blocks the collector or the other sinks until
 * `maxBytes` are pending (then `write` waits: backpressure, never a drop). A drainer delivers spooled
 * batches in order with retries and backoff, and moves its own durable cursor after each acknowledgement,
 * before it reads the next batch; spool and cursor survive restarts. Like the file sink, `position()` is the end of
 * the acknowledged appends and `open(position)` discards appends made after the committed one; once the pipeline
 * calls `commit()`, only committed batches are delivered, so a rolled-back batch never reaches the destination.
 * A destination answering 401/403/404 (SinkMisconfiguredError) keeps everything spooled and is retried periodically.
 */
export class SpooledSink implements Sink {
  readonly name: string;
  readonly #inner: Sink;
  readonly #queue: DiskQueue;
  readonly #options: SpooledSinkOptions;
  readonly #logger: Logger;
  #appending: Promise<unknown> = Promise.resolve();
  #drainer: Promise<void> | undefined;
  #closing = new AbortController();
  #wakeDrainer: (() => void) | undefined;
  #spaceWaiters: Array<() => void> = [];
  #idleWaiters: Array<() => void> = [];
  #stats: SpoolStats = { pendingBytes: 0, deliveredEvents: 0 };
  /**
   * Once the pipeline calls `commit`, only frames up to the last committed end are delivered: a batch whose checkpoint
   * is not committed yet may still be rolled back, and must never have reached the destination then.
   */
  #releasedEnd: number | undefined;

  constructor(inner: Sink, options: SpooledSinkOptions) {
    this.name = inner.name;
    this.#inner = inner;
    this.#options = options;
    this.#logger = options.logger;
    this.#queue = new DiskQueue({ dir: options.dir, segmentBytes: options.segmentBytes, logger: options.logger });
  }

  async open(committedPosition?: string): Promise<void> {
    await this.#queue.open();
    if (committedPosition !== undefined) {
      const position = Number(committedPosition);
      if (!Number.isSafeInteger(position) || position < 0)
        throw new SinkError(this.name, `invalid spool position "${committedPosition}"`);
      const redelivered = await this.#queue.truncateTo(position);
      if (redelivered > 0)
        this.#logger.warn(
          { sink: this.name, bytes: redelivered },
          'events delivered after the last checkpoint will be delivered again',
        );
    }
    this.#updatePending();
    if (this.#queue.pendingBytes > 0)
      this.#logger.info({ sink: this.name, pendingBytes: this.#queue.pendingBytes }, 'replaying spooled events');
    await this.#inner.open();
    this.#closing = new AbortController();
    this.#closing.signal.addEventListener('abort', () => this.#wakeDrainer?.(), { once: true });
    this.#drainer = this.#drain();
  }

  write(events: readonly OutputEvent[]): Promise<void> {
    if (!this.#drainer) return Promise.reject(new SinkError(this.name, 'write before open'));
    if (events.length === 0) return Promise.resolve();
    const payload = spoolPayload(events);
    const run = this.#appending.then(async () => {
      await this.#waitForSpace(payload.length);
      try {
        await this.#queue.append(payload);
      } catch (err) {
        this.#stats.appendFailure = { message: (err as Error).message, at: Date.now() };
        throw err;
      }
      this.#stats.appendFailure = undefined;
      this.#updatePending();
      this.#wakeDrainer?.();
    });
    this.#appending = run.catch(() => undefined);
    return run;
  }

  async #waitForSpace(bytes: number): Promise<void> {
    let warned = false;
    while (this.#queue.pendingBytes > 0 && this.#queue.pendingBytes + bytes > this.#options.maxBytes) {
      if (this.#closing.signal.aborted) throw new SinkError(this.name, 'closed while waiting for spool space');
      if (!warned) {
        this.#logger.warn(
          { sink: this.name, pendingBytes: this.#queue.pendingBytes, maxBytes: this.#options.maxBytes },
          'spool full: waiting for the destination (backpressure)',
        );
        warned = true;
      }
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
    }
  }

  position(): string {
    return String(this.#queue.end);
  }

  /**
   * Everything spooled so far is committed (its checkpoint is stored): the drainer may deliver it. Until the first
   * call every frame is delivered as soon as it is spooled.
   */
  commit(): void {
    this.#releasedEnd = this.#queue.end;
    this.#wakeDrainer?.();
  }

  /** Bytes spooled and committed, not yet delivered. */
  get #releasable(): number {
    return (this.#releasedEnd ?? this.#queue.end) - this.#queue.head;
  }

  /**
   * Discards the appends made after `position` (an earlier `position()`) without closing: what the pipeline
   * does when a batch fails on another sink. Needs no free disk space, so it works while the disk is full.
   */
  async rollBack(position: string): Promise<void> {
    await this.#appending;
    const redelivered = await this.#queue.truncateTo(Number(position));
    if (this.#releasedEnd !== undefined) this.#releasedEnd = Math.min(this.#releasedEnd, this.#queue.end);
    if (redelivered > 0)
      this.#logger.warn(
        { sink: this.name, bytes: redelivered },
        'events delivered after the rolled-back position will be delivered again',
      );
    this.#updatePending();
  }

  stats(): SpoolStats {
    return { ...this.#stats };
  }

  /** Resolves once everything spooled so far is delivered (or the sink closes). */
  whenDrained(): Promise<void> {
    if (this.#releasable <= 0 || this.#closing.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    const signal = this.#closing.signal;
    for (let failures = 0; !signal.aborted; ) {
      if (this.#releasable <= 0) {
        this.#notify(this.#idleWaiters);
        await new Promise<void>((resolve) => (this.#wakeDrainer = resolve));
        this.#wakeDrainer = undefined;
        continue;
      }
      try {
        if (!(await this.#drainOnce(signal))) return;
        failures = 0;
      } catch (err) {
        // Spool I/O failed (disk full, permissions): keep everything, retry later.
        this.#stats.lastError = { message: (err as Error).message, at: Date.now() };
        this.#logger.error({ sink: this.name, err: (err as Error).message }, 'cannot read the spool; retrying');
        await sleep(backoffDelay(failures++, this.#options.initialBackoffMs, this.#options.maxBackoffMs), signal);
      }
    }
  }

  /** Reads the next batch from the spool, delivers it and moves the cursor. False if closed meanwhile. */
  async #drainOnce(signal: AbortSignal): Promise<boolean> {
    const { frames, damaged, next } = await this.#queue.read(
      this.#options.drainMaxFrames ?? 16,
      8 * 1024 * 1024,
      this.#releasedEnd,
    );
    await this.#options.deadLetter.write(
      damaged.map((raw) => ({
        reason: 'spool_corrupt',
        detail: 'spool bytes failed their checksum',
        raw: raw.toString('base64'),
      })),
    );
    const events = await this.#decode(frames);
    if (!(await this.#deliver(events, signal))) return false;
    await this.#queue.ack(next);
    this.#stats.deliveredEvents += events.length;
    this.#stats.lastDeliveryAt = Date.now();
    this.#updatePending();
    this.#notify(this.#spaceWaiters);
    return true;
  }

  /** Delivers until acknowledged (true) or the sink closes (false). Never drops. */
  async #deliver(events: readonly OutputEvent[], signal: AbortSignal): Promise<boolean> {
    let pending = events;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (signal.aborted) return false;
      try {
        await this.#inner.write(pending);
        if (attempt > 0)
          this.#logger.info({ sink: this.name, attempts: attempt + 1 }, 'destination is back: delivered spooled events');
        this.#stats.refused = undefined;
        return true;
      } catch (err) {
        if (err instanceof SinkUnavailableError) pending = err.remaining;
        const message = (err as Error).message;
        this.#stats.lastError = { message, at: Date.now() };
        const delay = backoffDelay(attempt, this.#options.initialBackoffMs, this.#options.maxBackoffMs);
        if (err instanceof SinkMisconfiguredError) {
          if (!this.#stats.refused)
            this.#logger.error(
              { sink: this.name, pendingBytes: this.#queue.pendingBytes, err: message },
              'the destination refuses our requests: delivery stopped, events stay spooled; retrying periodically',
            );
          this.#stats.refused = { message, at: Date.now() };
          await sleep(delay, signal);
          continue;
        }
        this.#logger.warn(
          {
            sink: this.name,
            attempt: attempt + 1,
            retryInMs: Math.round(delay),
            pendingBytes: this.#queue.pendingBytes,
            err: message,
          },
          'delivery failed; events stay spooled',
        );
        await sleep(delay, signal);
      }
    }
    return true;
  }

  /** A frame is a JSON array of events; an undecodable one (disk corruption) goes to the dead-letter file. */
  async #decode(frames: readonly Buffer[]): Promise<OutputEvent[]> {
    const events: OutputEvent[] = [];
    for (const frame of frames) {
      try {
        events.push(...(JSON.parse(frame.toString('utf8')) as OutputEvent[]));
      } catch (err) {
        await this.#options.deadLetter.write([
          { reason: 'spool_corrupt', detail: (err as Error).message, raw: frame.toString('base64') },
        ]);
      }
    }
    return events;
  }

  #updatePending(): void {
    this.#stats.pendingBytes = this.#queue.pendingBytes;
    spoolPendingBytes.set({ sink: this.name }, this.#queue.pendingBytes);
  }

  #notify(waiters: Array<() => void>): void {
    for (const resolve of waiters.splice(0)) resolve();
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#notify(this.#spaceWaiters);
    this.#notify(this.#idleWaiters);
    const drainer = this.#drainer;
    this.#drainer = undefined;
    const grace = this.#options.closeGraceMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drainer, new Promise((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    await this.#inner.close();
    await drainer?.catch((err: unknown) => this.#logger.error({ sink: this.name, err }, 'spool drainer failed'));
    await this.#appending;
    await this.#queue.close();
  }
}
