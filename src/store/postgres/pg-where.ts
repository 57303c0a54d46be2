import {
  type FieldValue,
  parseQuery,
  parseTimeValue,
  type QueryNode,
  QuerySyntaxError,
  type TermValue,
} from '../../query/index.ts';
import { type AlertQuery, levelRank, parseLevel } from '../alert-query.ts';
import { StoreQueryError } from '../errors.ts';
import type { EventFilter } from '../event-query.ts';
import { isFullTextField } from '../full-text.ts';
import { likePattern, literalPrefix } from '../query-sql.ts';
import { pgText } from './pg-text.ts';
import { idKeySql } from './schema.ts';
import { tsPhrase } from './text-search.ts';
import { type ColumnKind, eventColumns } from '../event-columns.ts';
import { walkQuery } from '../query-walk.ts';

/** Values of one statement, numbered `$1`, `$2`… in the order they are added: values never enter the SQL text. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(typeof value === 'string' ? pgText(value) : value);
    return `$${this.values.length}`;
  }
}

/** Times PostgreSQL and JavaScript both hold exactly (±2^53 ms is far beyond any event). */
const MAX_TIME = 8.64e15;

/** ECS names (and the page's short names) kept as columns of o365_events; any other name is read from the documents. */
const COLUMNS = eventColumns('e.user_name');

type Bound = { value: string; inclusive: boolean } | undefined;

/** The full-text test of a value's words: a phrase, its last word a prefix when a wildcard follows it. */
function fullTextOf(term: TermValue): string | undefined {
  if (!term.wildcard) return tsPhrase(term.value);
  const prefix = literalPrefix(term.value);
  return tsPhrase(prefix, /[\p{L}\p{N}]$/u.test(prefix));
}

/**
 * A jsonpath reaching every value at a dotted path of the ECS document or the raw record (the `ecs` / `raw` member of
 * the row's `doc`), array elements one by one; keys quoted, so any name is safe.
 */
function jsonPathOf(document: 'ecs' | 'raw', path: string): string {
  return `lax $${[document, ...path.split('.')].map((key) => `.${JSON.stringify(key)}`).join('')}[*]`;
}

/** Compiles the search language (src/query) into a WHERE clause over `o365_events e`. */
class Compiler {
  readonly #params: SqlParams;
  readonly #now: number;

  constructor(params: SqlParams, now: number) {
    this.#params = params;
    this.#now = now;
  }

  node(node: QueryNode): string {
    return walkQuery(node, COLUMNS, {
      text: (term) => this.#text(term),
      column: (column, field, value, position) => this.#column(column.column, column.kind, field, value, position),
      document: (field, value, position) => this.#document(field, value, position),
    });
  }

  #p(value: unknown): string {
    return this.#params.add(value);
  }

  #fullText(query: string): string {
    return `e.search @@ to_tsquery('simple', ${this.#p(query)})`;
  }

  #text(term: TermValue): string {
    const query = fullTextOf(term);
    return query ? this.#fullText(query) : 'TRUE';
  }

  #time(field: string, value: string, position: number): number {
    const time = parseTimeValue(value, this.#now);
    if (time === undefined || !(Math.abs(time) <= MAX_TIME))
      throw new QuerySyntaxError(`${field} needs a time such as now-1h or 2026-11-24T10:00:00Z, not "${value}"`, position);
    return time;
  }

  #column(column: string, kind: ColumnKind, field: string, value: FieldValue, position: number): string {
    if (value.type === 'exists') return kind === 'time' ? 'TRUE' : `(${column} IS NOT NULL AND ${column} <> '')`;
    if (value.type === 'range') {
      const parts: string[] = [];
      const bound = (b: Bound, below: boolean) => {
        if (!b) return;
        const op = `${below ? '<' : '>'}${b.inclusive ? '=' : ''}`;
        if (kind === 'time') {
          const t = this.#time(field, b.value, position);
          // Event times are whole milliseconds: a fractional bound rounds to the same set of events.
          const whole = below === b.inclusive ? Math.floor(t) : Math.ceil(t);
          parts.push(`${column} ${op} ${this.#p(whole)}`);
        } else parts.push(`lower(${column}) ${op} lower(${this.#p(b.value)})`);
      };
      bound(value.lower, false);
      bound(value.upper, true);
      return parts.length === 0 ? `${column} IS NOT NULL` : `(${parts.join(' AND ')})`;
    }
    if (kind === 'time') {
      if (value.wildcard) throw new QuerySyntaxError(`${field} takes a time or a range, not a wildcard`, position);
      const t = this.#time(field, value.value, position);
      return Number.isInteger(t) ? `${column} = ${this.#p(t)}` : 'FALSE';
    }
    if (kind === 'tenant') {
      if (value.wildcard) {
        const p = this.#p(likePattern(value.value));
        return `(lower(e.tenant_id) LIKE lower(${p}) OR lower(e.tenant_name) LIKE lower(${p}))`;
      }
      const p = this.#p(value.value);
      return `(e.tenant_id = ${p} OR e.tenant_name = ${p})`;
    }
    if (kind === 'list') {
      const pattern = value.wildcard ? likePattern(value.value) : likePattern(value.value.replace(/[\\*?]/g, '\\$&'));
      return `(' ' || lower(${column}) || ' ') LIKE lower(${this.#p(`% ${pattern} %`)})`;
    }
    if (value.wildcard) return `lower(${column}) LIKE lower(${this.#p(likePattern(value.value))})`;
    return `lower(${column}) = lower(${this.#p(value.value)})`;
  }

  /** A field read from the ECS document (or the raw record for `raw.<Field>`), after a full-text pre-filter when possible. */
  #document(field: string, value: FieldValue, position: number): string {
    const raw = field.startsWith('raw.');
    const path = raw ? field.slice(4) : field;
    if (path === '') throw new QuerySyntaxError('"raw." needs a field name of the raw record after it', position);
    const text = `(CASE WHEN jsonb_typeof(v.j) IN ('string', 'number', 'boolean') THEN v.j #>> '{}' END)`;
    let test: string;
    let prefilter: string | undefined;
    if (value.type === 'exists') {
      test = `jsonb_typeof(v.j) <> 'null' AND v.j <> '""'::jsonb`;
    } else if (value.type === 'range') {
      test = this.#rangeTest(text, field, value.lower, value.upper, position);
    } else {
      const pattern = likePattern(value.wildcard ? value.value : value.value.replace(/[\\*?]/g, '\\$&'));
      test = `lower(${text}) LIKE lower(${this.#p(pattern)})`;
      // Only a field whose values are in the full-text index (full-text.ts) may be narrowed by it first.
      if (isFullTextField(field)) prefilter = fullTextOf(value);
    }
    const fts = prefilter ? `${this.#fullText(prefilter)} AND ` : '';
    const document = raw ? 'raw' : 'ecs';
    return `(${fts}EXISTS (SELECT 1 FROM jsonb_path_query(e.doc::jsonb, ${this.#p(jsonPathOf(document, path))}::jsonpath) AS v(j) WHERE ${test}))`;
  }

  /** Numbers compare as numbers, times (ISO strings, now-1h) as times, anything else as text. */
  #rangeTest(text: string, field: string, lower: Bound, upper: Bound, position: number): string {
    const bounds = [lower, upper].filter((b): b is NonNullable<Bound> => b !== undefined);
    const op = (b: NonNullable<Bound>, below: boolean) => `${below ? '<' : '>'}${b.inclusive ? '=' : ''}`;
    const compare = (expr: string, param: (b: NonNullable<Bound>) => string) =>
      [
        ...(lower ? [`${expr} ${op(lower, false)} ${param(lower)}`] : []),
        ...(upper ? [`${expr} ${op(upper, true)} ${param(upper)}`] : []),
      ].join(' AND ') || 'TRUE';
    if (bounds.every((b) => b.value.trim() !== '' && Number.isFinite(Number(b.value))))
      return compare(`o365_try_numeric(${text})`, (b) => `${this.#p(String(Number(b.value)))}::numeric`);
    if (bounds.every((b) => parseTimeValue(b.value, this.#now) !== undefined))
      return compare(
        `o365_try_timestamptz(${text})`,
        (b) => `to_timestamp(${this.#p(this.#time(field, b.value, position))}::float8 / 1000)`,
      );
    return compare(`lower(${text})`, (b) => `lower(${this.#p(b.value)})`);
  }
}

/** A time bound of a filter: whole milliseconds, and beyond any date an open end (as a SQLite comparison would be). */
function checkTime(field: string, value: number): number {
  if (!Number.isFinite(value)) throw new StoreQueryError(field, 'must be a time (epoch ms)');
  return Math.ceil(Math.max(-MAX_TIME, Math.min(MAX_TIME, value)));
}

/** WHERE clause over `o365_events e` for a filter and its query; `now` is what `now-1h` is relative to. */
export function pgWhereOf(filter: EventFilter, params: SqlParams, now: number): string {
  const clauses: string[] = [];
  const eq = (column: string, value: string) => clauses.push(`lower(${column}) = lower(${params.add(value)})`);
  if (filter.tenant) {
    const p = params.add(filter.tenant);
    clauses.push(`(e.tenant_id = ${p} OR e.tenant_name = ${p})`);
  }
  if (filter.user) eq('e.user_name', filter.user);
  if (filter.ip) eq('e.source_ip', filter.ip);
  if (filter.action) eq('e.action', filter.action);
  if (filter.workload) eq('e.workload', filter.workload);
  if (filter.outcome) {
    if (filter.outcome === 'unknown') clauses.push('e.outcome IS NULL');
    else eq('e.outcome', filter.outcome);
  }
  if (filter.contentType) clauses.push(`e.content_type = ${params.add(filter.contentType)}`);
  if (filter.alertId)
    clauses.push(
      `(e.id_key, e.id) IN (SELECT ${idKeySql('event_id')}, event_id FROM o365_alert_events WHERE alert_id = ${params.add(filter.alertId)})`,
    );
  if (filter.alerted) clauses.push('EXISTS (SELECT 1 FROM o365_alert_events l WHERE l.event_id = e.id)');
  if (filter.from !== undefined) clauses.push(`e.time >= ${params.add(checkTime('from', filter.from))}`);
  if (filter.to !== undefined) clauses.push(`e.time < ${params.add(checkTime('to', filter.to))}`);
  if (filter.q) {
    const ast = parseQuery(filter.q);
    if (ast) clauses.push(new Compiler(params, now).node(ast));
  }
  return clauses.length > 0 ? clauses.join(' AND ') : 'TRUE';
}

/** WHERE clause over `o365_alerts a`. */
export function pgAlertWhereOf(query: AlertQuery, params: SqlParams): string {
  const clauses: string[] = [];
  if (query.tenant) {
    const p = params.add(query.tenant);
    clauses.push(`(a.tenant_id = ${p} OR a.tenant_name = ${p})`);
  }
  if (query.minLevel) clauses.push(`a.level_rank >= ${params.add(levelRank(parseLevel(query.minLevel)))}`);
  if (query.ruleId) clauses.push(`a.rule_id = ${params.add(query.ruleId)}`);
  for (const word of query.text?.split(/\s+/).filter(Boolean) ?? [])
    clauses.push(`a.title ILIKE ${params.add(`%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (query.from !== undefined) clauses.push(`a.time >= ${params.add(checkTime('from', query.from))}`);
  if (query.to !== undefined) clauses.push(`a.time < ${params.add(checkTime('to', query.to))}`);
  return clauses.length > 0 ? clauses.join(' AND ') : 'TRUE';
}
