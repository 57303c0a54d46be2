import type { OutputEvent } from '../../core/output-event.ts';
import type { Logger } from '../../observability/logger.ts';
import type { DeadLetterFile, DeadLetterReason } from '../dead-letter.ts';
import { SinkMisconfiguredError, SinkUnavailableError } from '../errors.ts';
import { sinkEventsDelivered, sinkRetries } from '../metrics.ts';
import { backoffDelay } from '../../core/retry-timing.ts';
import { sleep } from './sleep.ts';

export interface RejectedEvent {
  event: OutputEvent;
  reason: DeadLetterReason;
  detail: string;
}

/** What the destination did with one request carrying one chunk. */
export type ChunkOutcome =
  | { type: 'ok' }
  /** Network error, 5xx, 429: send the same chunk again after a backoff. */
  | { type: 'retry'; detail: string; retryAfterMs?: number }
  /** 413: the request was too large; halve the chunk (a single event is dead-lettered as too large). */
  | { type: 'split'; detail: string }
  /** 401/403/404: the destination refuses us (credentials, URL, index): keep every event, stop delivering. */
  | { type: 'misconfigured'; detail: string }
  /** Refused for good (4xx): dead-letter the whole chunk. */
  | { type: 'reject'; reason: DeadLetterReason; detail: string }
  /** Per-item results (bulk APIs): some rejected for good, some to retry, the rest delivered. */
  | { type: 'partial'; retry: OutputEvent[]; rejected: RejectedEvent[]; detail: string };

export interface ChunkDeliveryOptions {
  sink: string;
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Aborted when the sink closes: backoffs end and the write fails with what remains. */
  signal: AbortSignal;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

/**
 * Sends chunks in order, one request each, and resolves once every event is delivered or
 * dead-lettered. A `misconfigured` answer (401/403/404) throws SinkMisconfiguredError at once with that chunk and
 * every later one (nothing is dead-lettered). After `maxAttempts` retryable failures of one chunk it throws SinkUnavailableError
 * carrying that chunk and every later one, so a caller that retries does not resend delivered events.
 */
export async function deliverChunks(
  chunks: readonly OutputEvent[][],
  send: (chunk: OutputEvent[]) => Promise<ChunkOutcome>,
  options: ChunkDeliveryOptions,
): Promise<void> {
  const queue = [...chunks];
  while (queue.length > 0) {
    let chunk = queue.shift() as OutputEvent[];
    for (let attempt = 0; ; ) {
      const outcome = await send(chunk).catch(
        (err: unknown): ChunkOutcome => ({ type: 'retry', detail: (err as Error).message }),
      );
      if (outcome.type === 'ok') {
        sinkEventsDelivered.inc({ sink: options.sink }, chunk.length);
        break;
      }
      if (outcome.type === 'split') {
        if (chunk.length === 1) {
          await options.deadLetter.write(chunk.map((event) => ({ event, reason: 'too_large', detail: outcome.detail })));
        } else {
          const half = Math.ceil(chunk.length / 2);
          queue.unshift(chunk.slice(0, half), chunk.slice(half));
        }
        break;
      }
      if (outcome.type === 'misconfigured') {
        const remaining = [chunk, ...queue].flat();
        throw new SinkMisconfiguredError(
          options.sink,
          `the destination refuses our requests (${outcome.detail}); check its URL and credentials. ${remaining.length} event(s) kept`,
          remaining,
        );
      }
      if (outcome.type === 'reject') {
        await options.deadLetter.write(chunk.map((event) => ({ event, reason: outcome.reason, detail: outcome.detail })));
        break;
      }
      let retryAfterMs: number | undefined;
      if (outcome.type === 'partial') {
        await options.deadLetter.write(outcome.rejected);
        sinkEventsDelivered.inc({ sink: options.sink }, chunk.length - outcome.retry.length - outcome.rejected.length);
        if (outcome.retry.length === 0) break;
        chunk = outcome.retry;
      } else {
        retryAfterMs = outcome.retryAfterMs;
      }
      attempt += 1;
      if (attempt >= options.maxAttempts || options.signal.aborted) {
        const remaining = [chunk, ...queue].flat();
        throw new SinkUnavailableError(
          options.sink,
          `${outcome.detail} (after ${attempt} attempt(s); ${remaining.length} event(s) not delivered)`,
          remaining,
        );
      }
      sinkRetries.inc({ sink: options.sink });
      const delay = backoffDelay(attempt - 1, options.initialBackoffMs, options.maxBackoffMs, { retryAfterMs });
      options.logger.debug({ sink: options.sink, attempt, delayMs: Math.round(delay), detail: outcome.detail }, 'retrying');
      await sleep(delay, options.signal);
    }
  }
}

/** Delivery options from a sink's `retry` config. */
export function retryOptions(
  sink: string,
  retry: { max_attempts: number; initial_backoff: number; max_backoff: number },
  rest: { signal: AbortSignal; logger: Logger; deadLetter: DeadLetterFile },
): ChunkDeliveryOptions {
  return {
    sink,
    maxAttempts: retry.max_attempts,
    initialBackoffMs: retry.initial_backoff,
    maxBackoffMs: retry.max_backoff,
    ...rest,
  };
}
