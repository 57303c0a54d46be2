import type { DeliverFn, Delivery, SinkPositions } from '../../../core/delivery.ts';
import type { SourceRecord } from '../../../core/source-record.ts';

/**
 * A Delivery for tests: serializes `exclusive` calls like the real pipeline, keeps what was delivered,
 * can fail the next N deliveries and can hold deliveries until released.
 */
export class RecordingDelivery implements Delivery {
  readonly delivered: SourceRecord[] = [];
  failures = 0;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  /** Deliveries wait until `release()`. */
  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  exclusive<T>(fn: (deliver: DeliverFn) => Promise<T>): Promise<T> {
    const run = this.#chain.then(() => fn((records) => this.#deliver(records)));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #deliver(records: readonly SourceRecord[]): Promise<SinkPositions> {
    if (this.#gate) await this.#gate;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('sink unavailable (test)');
    }
    this.delivered.push(...records);
    return { test: String(this.delivered.length) };
  }
}
