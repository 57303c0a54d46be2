/** Fixed one-minute windows of allowed requests per PublisherIdentifier (all-zeros when omitted). */
export class PublisherQuota {
  readonly #windows = new Map<string, { start: number; count: number }>();
  #limit = -1;

  /** Counts one request; false when the publisher is over `perMinute` (0 = unlimited). A new limit starts fresh windows. */
  take(publisherId: string, perMinute: number, now: number): boolean {
    if (perMinute !== this.#limit) {
      this.#windows.clear();
      this.#limit = perMinute;
    }
    if (perMinute <= 0) return true;
    const key = publisherId.toLowerCase();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= 60_000) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    return window.count <= perMinute;
  }
}
