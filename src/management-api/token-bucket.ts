import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A token bucket shared by every call of one tenant (listing, blob downloads, subscriptions):
 * `perMinute` requests per minute on average, bursts up to the same number. `pauseUntil` holds every
 * caller back after the server throttled us (Retry-After).
 */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  #tokens: number;
  #updatedAt: number;
  #pausedUntil = 0;

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#capacity = perMinute;
    this.#refillPerMs = perMinute / 60_000;
    this.#tokens = perMinute;
    this.#updatedAt = now();
  }

  /** Waits (bounded by the refill time of one token plus any pause) and takes one token. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#updatedAt) * this.#refillPerMs);
      this.#updatedAt = now;
      const pause = this.#pausedUntil - now;
      if (pause <= 0 && this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      const wait = Math.max(pause, Math.ceil((1 - this.#tokens) / this.#refillPerMs), 1);
      await sleep(wait, undefined, signal ? { signal } : undefined);
    }
  }

  pauseUntil(at: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, at);
  }
}
