const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Normalizes the date formats found in audit records to ISO 8601 UTC with a `Z`:
 * "2024-06-26T06:29:14" → "2024-06-26T06:29:14Z", "2024-02-22 09:46:54Z" → "2024-02-22T09:46:54Z",
 * "2025-08-08T09:53:00.1234567Z" → "2025-08-08T09:53:00.123Z" (fraction kept to milliseconds when non-zero),
 * "+02:00" offsets converted to UTC. Records carry no zone: they are UTC. Returns undefined when not a date.
 */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (isPlainUtcSeconds(value)) return value.length === 19 ? `${value}Z` : value;
  const m = DATE_TIME.exec(value);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string?,
    string?,
  ];
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  const millis = fraction !== undefined ? fraction.slice(0, 3).padEnd(3, '0') : '000';
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    const t =
      Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(millis)) - offsetMinutes * 60_000;
    const iso = new Date(t).toISOString();
    return millis === '000' ? `${iso.slice(0, 19)}Z` : iso;
  }
  return millis === '000' ? `${y}-${mo}-${d}T${h}:${mi}:${s}Z` : `${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}Z`;
}

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for the format nearly every record uses, `yyyy-MM-ddTHH:mm:ss` with an optional `Z` (no fraction, no
 * offset): already normalized but for the `Z`. Same checks as the regular expression path.
 */
function isPlainUtcSeconds(value: string): boolean {
  const n = value.length;
  if (n !== 19 && !(n === 20 && value.charCodeAt(19) === 90)) return false;
  if (
    value.charCodeAt(4) !== 45 ||
    value.charCodeAt(7) !== 45 ||
    value.charCodeAt(10) !== 84 ||
    value.charCodeAt(13) !== 58 ||
    value.charCodeAt(16) !== 58
  )
    return false;
  if (twoDigits(value, 0) < 0 || twoDigits(value, 2) < 0) return false;
  const mo = twoDigits(value, 5);
  const d = twoDigits(value, 8);
  const h = twoDigits(value, 11);
  const mi = twoDigits(value, 14);
  const s = twoDigits(value, 17);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

/** Epoch milliseconds of a record date (see normalizeTimestamp), or undefined. */
export function timestampMillis(value: unknown): number | undefined {
  const iso = normalizeTimestamp(value);
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}
