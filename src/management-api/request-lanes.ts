import { Semaphore } from 'async-mutex';

/** What a Management API request does: control (subscriptions, listings) or a blob download. */
export type Operation = 'subscribe' | 'subscriptions' | 'list' | 'blob';

/**
 * Bounds the control requests of all tenants together (subscription starts, listing pages), so that with many
 * tenants starting at once they never hold every connection of the shared agent: blob downloads always find
 * connections left, and the first events arrive while the other tenants are still being listed.
 */
export class RequestLanes {
  readonly #control: Semaphore;

  constructor(controlInFlight: number) {
    this.#control = new Semaphore(Math.max(1, controlInFlight));
  }

  run<T>(operation: Operation, send: () => Promise<T>): Promise<T> {
    return operation === 'blob' ? send() : this.#control.runExclusive(send);
  }
}
