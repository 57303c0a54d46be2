/** Timestamp formats used by the Management Activity API. */

/** Audit record CreationTime: `yyyy-MM-ddTHH:mm:ss`, UTC, no fraction, no Z. */
export function creationTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** contentCreated / contentExpiration: ISO-8601 with milliseconds and Z. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** 23-digit stamp used inside contentIds: yyyyMMddHHmmss + 9 fractional digits. */
export function contentIdStamp(ms: number, extraNanos: number): string {
  const iso = new Date(ms).toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const fraction = iso.slice(20, 23) + String(extraNanos % 1_000_000).padStart(6, '0');
  return digits + fraction;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_MINUTES = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const ISO_FULL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a startTime/endTime query value: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`
 * (UTC) or full ISO-8601 with fraction and `Z`/offset. Returns epoch ms, or undefined if unparsable.
 */
export function parseApiTime(value: string): number | undefined {
  let text = value.trim();
  if (DATE_ONLY.test(text)) text += 'T00:00:00Z';
  else if (DATE_MINUTES.test(text)) text += ':00Z';
  else if (!ISO_FULL.test(text)) return undefined;
  else {
    // Trim sub-millisecond digits (Date.parse rejects more than 3) and default to UTC.
    text = text.replace(/(\.\d{3})\d+/, '$1');
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += 'Z';
    text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
