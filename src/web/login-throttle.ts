import { LRUCache } from 'lru-cache';

/**
 * Bounds token guessing per client address: after `limit` failed sign-ins within `windowMs`, a client gets one
 * checked attempt per `slowMs` (the others are refused unchecked). A correct token is therefore never locked out —
 * at worst it waits `slowMs` — while guessing slows to one try per `slowMs`. Bounded to `maxClients` addresses.
 */
export class LoginThrottle {
  readonly #clients: LRUCache<string, { failures: number[]; lastChecked: number }>;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #slowMs: number;

  constructor(limit = 10, windowMs = 60_000, slowMs = 1_000, maxClients = 10_000) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#slowMs = slowMs;
    this.#clients = new LRUCache({ max: maxClients });
  }

  /** True when this attempt may be checked now; false means answer 429 without looking at the token. */
  admit(client: string, now: number): boolean {
    const entry = this.#clients.get(client);
    if (!entry) return true;
    entry.failures = entry.failures.filter((t) => now - t < this.#windowMs);
    if (entry.failures.length < this.#limit) return true;
    if (now - entry.lastChecked < this.#slowMs) return false;
    entry.lastChecked = now;
    return true;
  }

  fail(client: string, now: number): void {
    const entry = this.#clients.get(client) ?? { failures: [], lastChecked: 0 };
    entry.failures = [...entry.failures.filter((t) => now - t < this.#windowMs), now];
    this.#clients.set(client, entry);
  }

  succeed(client: string): void {
    this.#clients.delete(client);
  }
}
