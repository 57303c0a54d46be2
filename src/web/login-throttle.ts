/** Bounds password guessing: at most `limit` failed sign-ins per client per window. */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxClients: number;

  constructor(limit = 10, windowMs = 60_000, maxClients = 10_000) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#maxClients = maxClients;
  }

  blocked(client: string, now: number): boolean {
    return this.#recent(client, now).length >= this.#limit;
  }

  fail(client: string, now: number): void {
    if (!this.#failures.has(client) && this.#failures.size >= this.#maxClients) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
    this.#failures.set(client, [...this.#recent(client, now), now]);
  }

  succeed(client: string): void {
    this.#failures.delete(client);
  }

  #recent(client: string, now: number): number[] {
    return (this.#failures.get(client) ?? []).filter((t) => now - t < this.#windowMs);
  }
}
