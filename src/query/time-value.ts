import ms from 'ms';

/**
 * A time as typed in a query: `now`, `now-1h` / `now-7d` / `now+5m` (units of the `ms` package), an ISO 8601 date
 * or date-time (UTC unless it names a zone), or epoch milliseconds. Undefined when it is none of these.
 */
export function parseTimeValue(value: string, now: number): number | undefined {
  const relative = /^now(?:([+-])(\d+(?:\.\d+)?\s*[a-z]+))?$/i.exec(value.trim());
  if (relative) {
    if (!relative[1]) return now;
    const span = ms(relative[2] as ms.StringValue);
    if (typeof span !== 'number' || !Number.isFinite(span)) return undefined;
    return relative[1] === '-' ? now - span : now + span;
  }
  if (/^\d{10,}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) || !value.includes('T') ? value : `${value}Z`;
  const time = Date.parse(withZone.includes('T') || /[zZ]$/.test(withZone) ? withZone : `${withZone}T00:00:00Z`);
  return Number.isFinite(time) ? time : undefined;
}
