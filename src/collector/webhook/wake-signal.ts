/** Lets a webhook notification cut a tenant loop's wait short; a wake before the wait is not lost. */
export class WakeSignal {
  #pending = false;
  #resolve: (() => void) | undefined;

  wake(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Waits `ms` or until woken or aborted; true when woken (the wake is consumed). */
  async wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (!this.#pending && ms > 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.#resolve = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
        this.#resolve = done;
      });
    }
    const woken = this.#pending;
    this.#pending = false;
    return woken;
  }
}
