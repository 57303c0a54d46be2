import type { EmulatorStats } from './types.ts';

/** Mutable counters behind Emulator.stats(). */
export class StatsCollector {
  readonly #requests = new Map<string, number>();
  readonly #injected = new Map<string, number>();
  tokensIssued = 0;
  withoutPublisherIdentifier = 0;
  quotaThrottled = 0;
  blobsPublished = 0;
  recordsPublished = 0;

  request(kind: string): void {
    this.#requests.set(kind, (this.#requests.get(kind) ?? 0) + 1);
  }

  injected(kind: string, count = 1): void {
    this.#injected.set(kind, (this.#injected.get(kind) ?? 0) + count);
  }

  snapshot(): EmulatorStats {
    return {
      requests: Object.fromEntries(this.#requests),
      tokensIssued: this.tokensIssued,
      injected: Object.fromEntries(this.#injected),
      withoutPublisherIdentifier: this.withoutPublisherIdentifier,
      quotaThrottled: this.quotaThrottled,
      blobsPublished: this.blobsPublished,
      recordsPublished: this.recordsPublished,
    };
  }
}
