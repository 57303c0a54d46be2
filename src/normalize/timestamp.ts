const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Normalizes the date formats found in audit records to ISO 8601 UTC with a `Z`:
 * "2024-06-26T06:29:14" → "2024-06-26T06:29:14Z", "2024-02-22 09:46:54Z" → "2024-02-22T09:46:54Z",
 * "2025-08-08T09:53:00.1234567Z" → "2025-08-08T09:53:00.123Z" (fraction kept to milliseconds when non-zero),
 * "+02:00" offsets converted to UTC. Records carry no zone: they are UTC. Returns undefined when not a date.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as [string, string, string, string, string, string, string, string?, string?];
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  const millis = fraction !== undefined ? fraction.slice(0, 3).padEnd(3, '0') : '000';
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(millis)) - offsetMinutes * 60_000;
    const iso = new Date(t).toISOString();
    return millis === '000' ? `${iso.slice(0, 19)}Z` : iso;
  }
  return millis === '000' ? `${y}-${mo}-${d}T${h}:${mi}:${s}Z` : `${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}Z`;
}

/** Epoch milliseconds of a record date (see normalizeTimestamp), or undefined. */
export function timestampMillis(value: unknown): number | undefined {
  const iso = normalizeTimestamp(value);
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
