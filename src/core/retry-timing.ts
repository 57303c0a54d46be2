/**
 * How long to wait before retry number `attempt` (0-based), for every retry loop of the product (API calls, blob
 * quarantine, sinks, the spool): exponential from `baseMs`, capped at `maxMs`, with jitter (a random delay in
 * [ceiling/2, ceiling]) so many tenants or sinks do not retry in step. A server's `Retry-After` is honoured (up to `maxMs`).
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  options: { retryAfterMs?: number | undefined; random?: () => number } = {},
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt), 30));
  const jittered = Math.round(ceiling / 2 + ((options.random ?? Math.random)() * ceiling) / 2);
  return options.retryAfterMs === undefined ? jittered : Math.min(maxMs, Math.max(jittered, options.retryAfterMs));
}

/** `Retry-After` (delta-seconds or an HTTP date) in milliseconds, or undefined when absent or not understood. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
