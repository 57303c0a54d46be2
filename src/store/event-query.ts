import { StoreQueryError } from './errors.ts';
import { type CompiledWhere, compileFieldEquals, compileQuery } from './query-sql.ts';

/** Filters of the events search. Every field is optional; text fields match exactly (case-insensitive). */
export interface EventFilter {
  /** A query in the search language (src/query/parser.ts): `user.name:alice* AND NOT event.outcome:success`. */
  q?: string;
  /** Tenant id or tenant name. */
  tenant?: string;
  user?: string;
  ip?: string;
  /** ECS event.action (O365 Operation). */
  action?: string;
  /** ECS service.name (O365 Workload). */
  workload?: string;
  /** success | failure | unknown. */
  outcome?: string;
  contentType?: string;
  /** Only the events an alert cites. */
  alertId?: string;
  /** Only events cited by at least one alert. */
  alerted?: boolean;
  /** Event time range, epoch ms: from inclusive, to exclusive. */
  from?: number;
  to?: number;
}

/** Event time order of a whole result: newest first (`desc`, the default) or oldest first (`asc`). */
export type TimeOrder = 'asc' | 'desc';

export interface EventQuery extends EventFilter {
  /** Page size, 1–500 (default 50). */
  limit?: number;
  /** Opaque cursor from the previous page's `nextCursor` (valid only with the `order` it was made with). */
  cursor?: string;
  /** Sort of the whole result by event time (ties by ingestion order); default `desc`. */
  order?: TimeOrder;
}

export interface SqlWhere {
  sql: string;
  params: unknown[];
}

/** WHERE clause over `events e` for a filter; `now` is the time `now-1h` in a query is relative to. */
export function whereOf(filter: EventFilter, now: number = Date.now()): CompiledWhere {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    clauses.push(sql);
    params.push(...values);
  };
  if (filter.tenant) add('(e.tenant_id = ? OR e.tenant_name = ?)', filter.tenant, filter.tenant);
  const fullTextMatches: string[] = [];
  const addField = (field: string, value: string) => {
    const compiled = compileFieldEquals(field, value);
    add(compiled.sql, ...compiled.params);
    fullTextMatches.push(...compiled.fullTextMatches);
  };
  if (filter.user) addField('user', filter.user);
  if (filter.ip) addField('ip', filter.ip);
  if (filter.action) add('e.action = ?', filter.action);
  if (filter.workload) add('e.workload = ?', filter.workload);
  if (filter.outcome) {
    if (filter.outcome === 'unknown') add('e.outcome IS NULL');
    else add('e.outcome = ?', filter.outcome);
  }
  if (filter.contentType) add('e.content_type = ?', filter.contentType);
  if (filter.alertId)
    add(
      `e.id_key IN (SELECT event_id_key(event_id) FROM alert_events WHERE alert_id = ?)
      AND e.id IN (SELECT event_id FROM alert_events WHERE alert_id = ?)`,
      filter.alertId,
      filter.alertId,
    );
  if (filter.alerted) add('EXISTS (SELECT 1 FROM alert_events l WHERE l.event_id = e.id)');
  if (filter.from !== undefined) add('e.time >= ?', checkTime('from', filter.from));
  if (filter.to !== undefined) add('e.time < ?', checkTime('to', filter.to));
  let matchers: CompiledWhere['matchers'] = [];
  if (filter.q) {
    const compiled = compileQuery(filter.q, now);
    if (compiled.sql !== '1') add(compiled.sql, ...compiled.params);
    matchers = compiled.matchers;
    fullTextMatches.push(...compiled.fullTextMatches);
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : '1', params, matchers, fullTextMatches };
}

function checkTime(field: string, value: number): number {
  if (!Number.isFinite(value)) throw new StoreQueryError(field, 'must be a time (epoch ms)');
  return value;
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    throw new StoreQueryError('limit', 'must be an integer between 1 and 500');
  return limit;
}

/** Keyset position of the last row of a page, in the page's time order (time, then seq, both in that order). */
export interface Cursor {
  time: number;
  seq: number;
  order: TimeOrder;
}

export function timeOrder(order: string | undefined): TimeOrder {
  if (order === undefined || order === 'desc') return 'desc';
  if (order === 'asc') return 'asc';
  throw new StoreQueryError('order', 'must be asc or desc');
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.order === 'asc' ? 'a' : 'd'}:${cursor.time}:${cursor.seq}`).toString('base64url');
}

/** Reads a page cursor; one made for the other time order is refused (the pages would skip or repeat events). */
export function decodeCursor(value: string, order: TimeOrder = 'desc'): Cursor {
  const match = /^(?:([ad]):)?(-?\d+):(\d+)$/.exec(Buffer.from(value, 'base64url').toString());
  if (!match) throw new StoreQueryError('cursor', 'is not a cursor returned by a previous page');
  const made: TimeOrder = match[1] === 'a' ? 'asc' : 'desc';
  if (made !== order)
    throw new StoreQueryError('cursor', `was made for order=${made}: start again from the first page to sort by order=${order}`);
  return { time: Number(match[2]), seq: Number(match[3]), order };
}

/** A live-tail cursor: the ingestion position (events.seq) of the last event examined. */
export function encodeTailCursor(seq: number): string {
  return String(seq);
}

export function decodeTailCursor(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new StoreQueryError('after', 'is not a tail cursor returned by the store');
  return Number(value);
}
