import ms from 'ms';
import type { AlertQuery } from '../store/alert-query.ts';
import type { EventQuery, TimeOrder } from '../store/event-query.ts';
import type { FacetField } from '../store/types.ts';
import { ALERT_LEVELS, type AlertLevel } from '../core/alert.ts';
import { WebQueryError } from './errors.ts';

/** Query-string parameters, already reduced to one non-empty string per name. */
export type Params = Record<string, string>;

export const FACET_FIELDS: readonly FacetField[] = ['user', 'sourceIp', 'action', 'workload', 'outcome', 'tenant'];
export const RANGES = ['15m', '1h', '24h', '7d', '30d'] as const;
/** The `range` value of "All time" (an empty value would be dropped, and the landing default applied). */
export const ALL_TIME = 'all';

/** Keeps the last value of repeated parameters and drops empty ones. */
export function cleanParams(query: unknown): Params {
  const out: Params = {};
  if (!query || typeof query !== 'object') return out;
  for (const [key, value] of Object.entries(query)) {
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (typeof last === 'string' && last.trim() !== '') out[key] = last.trim();
  }
  return out;
}

/** Epoch ms, ISO 8601, or a `datetime-local` value (read as UTC). */
export function parseTime(field: string, value: string): number {
  if (/^\d{10,}$/.test(value)) return Number(value);
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
  const time = Date.parse(withZone);
  if (!Number.isFinite(time))
    throw new WebQueryError(field, `"${value}" is not a time (use ISO 8601 such as 2026-11-24T10:00:00Z, or epoch milliseconds)`);
  return time;
}

function parseRange(value: string): number {
  const span = ms(value as ms.StringValue);
  if (typeof span !== 'number' || !Number.isFinite(span) || span <= 0) {
    throw new WebQueryError('range', `"${value}" is not a duration (examples: 15m, 24h, 7d)`);
  }
  return span;
}

function parseLimit(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new WebQueryError('limit', 'must be a whole number between 1 and 500');
  return Number(value);
}

function timeRange(params: Params, now: number): { from?: number; to?: number } {
  const to = params.to ? parseTime('to', params.to) : undefined;
  let from = params.from ? parseTime('from', params.from) : undefined;
  if (from === undefined && params.range && params.range !== ALL_TIME) from = (to ?? now) - parseRange(params.range);
  if (from !== undefined && to !== undefined && from >= to) throw new WebQueryError('from', 'must be before "to"');
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

export function eventQueryOf(params: Params, now: number): EventQuery {
  const limit = parseLimit(params.limit);
  return {
    ...(params.q ? { q: params.q } : {}),
    ...(params.tenant ? { tenant: params.tenant } : {}),
    ...(params.user ? { user: params.user } : {}),
    ...(params.ip ? { ip: params.ip } : {}),
    ...(params.action ? { action: params.action } : {}),
    ...(params.workload ? { workload: params.workload } : {}),
    ...(params.outcome ? { outcome: params.outcome } : {}),
    ...(params.content_type ? { contentType: params.content_type } : {}),
    ...(params.alert ? { alertId: params.alert } : {}),
    ...(params.alerted === '1' ? { alerted: true } : {}),
    ...timeRange(params, now),
    ...(limit !== undefined ? { limit } : {}),
    ...(params.cursor ? { cursor: params.cursor } : {}),
    ...(params.order ? { order: orderOf(params.order) } : {}),
  };
}

function orderOf(value: string): TimeOrder {
  if (value !== 'asc' && value !== 'desc') throw new WebQueryError('order', 'must be asc (oldest first) or desc (newest first)');
  return value;
}

export function alertQueryOf(params: Params, now: number): AlertQuery {
  const limit = parseLimit(params.limit);
  let minLevel: AlertLevel | undefined;
  if (params.level) {
    minLevel = ALERT_LEVELS.find((l) => l === params.level);
    if (!minLevel) throw new WebQueryError('level', `must be one of ${ALERT_LEVELS.join(', ')}`);
  }
  return {
    ...(params.q ? { text: params.q } : {}),
    ...(params.tenant ? { tenant: params.tenant } : {}),
    ...(minLevel ? { minLevel } : {}),
    ...(params.rule ? { ruleId: params.rule } : {}),
    ...timeRange(params, now),
    ...(limit !== undefined ? { limit } : {}),
    ...(params.cursor ? { cursor: params.cursor } : {}),
  };
}

export function facetFieldOf(value: string | undefined): FacetField {
  const field = FACET_FIELDS.find((f) => f === value);
  if (!field) throw new WebQueryError('field', `must be one of ${FACET_FIELDS.join(', ')}`);
  return field;
}

/** A link to `path` with the given parameters (empty ones dropped). */
export function linkTo(path: string, params: Params, overrides: Record<string, string | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...overrides })) {
    if (value !== undefined && value !== '') search.set(key, value);
  }
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}
