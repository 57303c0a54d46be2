/** A record date read strictly: either its ISO 8601 UTC form, or why it is not a date. */
export type ParsedTimestamp = { ok: true; iso: string; millis: number } | { ok: false; reason: string };

/** Longer than any date form accepted below (with a 9-digit fraction and an offset): not a date, rejected unread. */
const MAX_LENGTH = 40;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?$/i;
/** Real UTC offsets run from -12:00 to +14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;
const DAY_MS = 86_400_000;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (exact for every year, unlike Date.UTC for 0–99). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The field that makes a date impossible, or undefined when every field is in range. */
function impossibleField(y: number, mo: number, d: number, h: number, mi: number, s: number): string | undefined {
  if (mo < 1 || mo > 12) return `month ${pad2(mo)} does not exist`;
  if (d < 1 || d > daysInMonth(y, mo)) return `day ${pad2(d)} does not exist in ${String(y).padStart(4, '0')}-${pad2(mo)}`;
  if (h > 23) return `hour ${pad2(h)} does not exist`;
  if (mi > 59) return `minute ${pad2(mi)} does not exist`;
  // A leap second cannot be represented without turning it into another instant.
  if (s > 59) return `second ${pad2(s)} does not exist`;
  return undefined;
}

/**
 * Reads the date formats found in audit records — `yyyy-MM-ddTHH:mm:ss`, a space instead of `T`, a fraction of up to
 * 9 digits, `Z` or a `±HH:mm` / `±HHmm` offset — and gives ISO 8601 UTC with a `Z`:
 * "2024-06-26T06:29:14" → "2024-06-26T06:29:14Z", "2024-02-22 09:46:54Z" → "2024-02-22T09:46:54Z",
 * "2025-08-08T09:53:00.1234567Z" → "2025-08-08T09:53:00.123Z" (fraction kept to milliseconds when non-zero),
 * "+02:00" offsets converted to UTC. Records carry no zone: they are UTC.
 *
 * Strict: an impossible date (2024-02-30, second 60, offset +99:99, an expanded year such as +012024, a result
 * outside years 0000–9999) is rejected with the reason, never rolled over into a different valid date.
 */
export function parseTimestamp(value: unknown): ParsedTimestamp {
  if (typeof value !== 'string') return { ok: false, reason: `expected a date string, got ${typeof value}` };
  if (value.length > MAX_LENGTH) return { ok: false, reason: `not a date (${value.length} characters)` };
  const m = DATE_TIME.exec(value);
  if (m === null) return { ok: false, reason: 'expected yyyy-MM-ddTHH:mm:ss[.fraction][Z|±HH:mm]' };
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  const impossible = impossibleField(y, mo, d, h, mi, s);
  if (impossible !== undefined) return { ok: false, reason: impossible };
  const fraction = m[7];
  const ms = fraction !== undefined ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (om > 59 || oh * 60 + om > MAX_OFFSET_MINUTES) return { ok: false, reason: `offset ${zone} does not exist` };
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = daysFromCivil(y, mo, d) * DAY_MS + ((h * 60 + mi - offsetMinutes) * 60 + s) * 1000 + ms;
  const date = new Date(millis);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return { ok: false, reason: 'outside years 0000–9999 once converted to UTC' };
  const iso = date.toISOString();
  return { ok: true, iso: ms === 0 ? `${iso.slice(0, 19)}Z` : iso, millis };
}

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Fast path for the format nearly every record uses, `yyyy-MM-ddTHH:mm:ss` with an optional `Z` (no fraction, no
 * offset): already normalized but for the `Z`. Same checks as parseTimestamp.
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
  const hi = twoDigits(value, 0);
  const lo = twoDigits(value, 2);
  if (hi < 0 || lo < 0) return false;
  const mo = twoDigits(value, 5);
  const d = twoDigits(value, 8);
  const h = twoDigits(value, 11);
  const mi = twoDigits(value, 14);
  const s = twoDigits(value, 17);
  return mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 && impossibleField(hi * 100 + lo, mo, d, h, mi, s) === undefined;
}

/** A record date as ISO 8601 UTC with a `Z` (see parseTimestamp), or undefined when it is not a possible date. */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value === 'string' && isPlainUtcSeconds(value)) return value.length === 19 ? `${value}Z` : value;
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.iso : undefined;
}

/** Epoch milliseconds of a record date (see parseTimestamp), or undefined. */
export function timestampMillis(value: unknown): number | undefined {
  if (typeof value === 'string' && isPlainUtcSeconds(value)) {
    const n = (i: number): number => twoDigits(value, i);
    return (daysFromCivil(n(0) * 100 + n(2), n(5), n(8)) * 24 + n(11)) * 3_600_000 + n(14) * 60_000 + n(17) * 1000;
  }
  const parsed = parseTimestamp(value);
  return parsed.ok ? parsed.millis : undefined;
}
