/**
 * Drains a tenant's queued blobs while its streams are being listed: a drain pass runs at once, and again each time
 * the listing queued new blobs, until the listing is over and a last pass found the queue as it was left. One pass
 * at a time (a blob is never fetched twice at once); `tried` is shared by the passes of one cycle, so a blob that
 * failed is not fetched again before the next cycle.
 */
export class CycleDrainer {
  readonly #drain: (tried: Set<string>) => Promise<void>;
  readonly #tried = new Set<string>();
  #kicked = true;
  #listing = true;
  #wake: (() => void) | undefined;

  constructor(drain: (tried: Set<string>) => Promise<void>) {
    this.#drain = drain;
  }

  /** New blobs were queued. */
  kick(): void {
    this.#kicked = true;
    this.#wake?.();
  }

  /** The listing ended (successfully or not): one more pass, then run() resolves. */
  listingDone(): void {
    this.#listing = false;
    this.kick();
  }

  async run(): Promise<void> {
    for (;;) {
      if (!this.#kicked) {
        if (!this.#listing) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      this.#kicked = false;
      await this.#drain(this.#tried);
    }
  }
}
