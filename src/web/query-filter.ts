import type { StoredEvent } from '../store/types.ts';
import { linkTo, type Params } from './query-params.ts';

/** A quoted query-language value: `"a \"b\""`. */
export function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The query with one more clause ANDed on (an OR query is parenthesised first, so the clause binds to all of it). */
export function withClause(query: string | undefined, clause: string): string {
  const q = query?.trim();
  if (!q) return clause;
  return /\bOR\b/.test(q) ? `(${q}) AND ${clause}` : `${q} AND ${clause}`;
}

/** ECS fields the store also keeps as an indexed column, with the search parameter that filters on that column. */
const COLUMN_PARAMS: Record<string, { param: string; column: keyof StoredEvent }> = {
  'event.action': { param: 'action', column: 'action' },
  'service.name': { param: 'workload', column: 'workload' },
  'event.outcome': { param: 'outcome', column: 'outcome' },
  'source.ip': { param: 'ip', column: 'sourceIp' },
  'user.email': { param: 'user', column: 'user' },
  'user.name': { param: 'user', column: 'user' },
  'user.id': { param: 'user', column: 'user' },
};

/**
 * Links that add `field = value` (or its negation) to a search. An ECS field becomes `field:"value"` in the query;
 * a raw-record field becomes the quoted phrase (raw values are in the full text). Filtering for a value the store
 * keeps as an indexed column uses that column's own parameter, shown in the filter row.
 */
export function filterHrefs(
  params: Params,
  field: { name: string; ecs: boolean },
  value: string,
  event?: StoredEvent,
): { include: string; exclude: string } {
  const rest: Params = { ...params };
  delete rest.cursor;
  const clause = field.ecs ? `${field.name}:${quoted(value)}` : quoted(value);
  const column = field.ecs ? COLUMN_PARAMS[field.name] : undefined;
  const include =
    column && event && event[column.column] === value
      ? linkTo('/events', rest, { [column.param]: value })
      : linkTo('/events', rest, { q: withClause(rest.q, clause) });
  return { include, exclude: linkTo('/events', rest, { q: withClause(rest.q, `NOT ${clause}`) }) };
}
