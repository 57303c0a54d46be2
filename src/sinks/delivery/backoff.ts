/** Backoff before retry number `attempt` (0-based): exponential from `initialMs`, capped, with equal jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, retryAfterMs?: number): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  const jittered = exp / 2 + Math.random() * (exp / 2);
  return retryAfterMs === undefined ? jittered : Math.min(maxMs, Math.max(jittered, retryAfterMs));
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `Retry-After` (seconds or HTTP date) in milliseconds, if present and sane. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim()) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
