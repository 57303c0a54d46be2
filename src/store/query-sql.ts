import { compileSigmaString } from '../detect/wildcard.ts';
import { type FieldValue, parseQuery, parseTimeValue, type QueryNode, QuerySyntaxError, type TermValue } from '../query/index.ts';
import { ftsPhrase, isFullTextField } from './full-text.ts';
import { valuesAt } from './indexed-fields.ts';
import { type ColumnKind, eventColumns } from './event-columns.ts';
import { walkQuery } from './query-walk.ts';

/** A test of one stored document of an event (its raw record, or else its ECS document), run by `doc_match`. */
export interface DocMatcher {
  raw: boolean;
  test: (doc: unknown) => boolean;
}

/** A WHERE clause over `events e` with its parameters, and the document tests it calls by index. */
export interface CompiledWhere {
  sql: string;
  params: unknown[];
  matchers: DocMatcher[];
  /** The FTS5 MATCH expressions of the clause, one per full-text test (empty: the clause reads no full text). */
  fullTextMatches: string[];
}

/**
 * ECS fields kept as columns (indexed or cheap to scan); any other name is read from the stored ECS document
 * (or the raw record for `raw.<Field>`), after a full-text pre-filter on the value's words when the field is one of
 * the full-text fields (full-text.ts).
 */
const COLUMNS = eventColumns('e.user');

const FTS = 'e.seq IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)';

/**
 * Columns without a B-tree index of their own: their values are many and random, and keeping such an index cost
 * about a third of an insert's CPU. Their values are always in the full-text index (searchTextOf), so a test of
 * their value is narrowed by it first, like a full-text field read from the documents.
 */
const NARROWED_BY_FULL_TEXT = new Set(['e.user', 'e.source_ip']);

/**
 * The clause with each full-text test's `e.seq` behind a unary `+`: SQLite may then no longer drive the search from
 * the list of matches (looking each up by seq, then sorting them all), so it walks the time index in page order and
 * checks each row against the matches (a Bloom filter, then the set), stopping at the page. Same parameters, same
 * result; cheaper only when matches are many.
 */
export function inTimeOrder(sql: string): string {
  return sql.replaceAll(FTS, `+${FTS}`);
}

/** `alice*` → LIKE pattern `alice%` (escape `\`); `\*` stays a literal star. */
export function likePattern(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const next = pattern[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      out += next === '\\' ? '\\\\' : next;
      i++;
    } else if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else if (c === '%' || c === '_') out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** The literal text before the first unescaped wildcard, and whether a wildcard follows it directly. */
export function literalPrefix(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      out += pattern[++i];
      continue;
    }
    if (c === '*' || c === '?') break;
    out += c;
  }
  return out;
}

/** FTS pre-filter for a term: the phrase of its words (a trailing partial word as a prefix). */
function ftsOfTerm(term: TermValue): string | undefined {
  if (!term.wildcard) return ftsPhrase(term.value);
  const prefix = literalPrefix(term.value);
  const endsInWord = /[\p{L}\p{N}]$/u.test(prefix);
  return ftsPhrase(prefix, endsInWord);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

type Bound = { value: string; inclusive: boolean } | undefined;

function compareBound(actual: number, bound: number, inclusive: boolean, below: boolean): boolean {
  if (below) return inclusive ? actual <= bound : actual < bound;
  return inclusive ? actual >= bound : actual > bound;
}

class Compiler {
  readonly params: unknown[] = [];
  readonly matchers: DocMatcher[] = [];
  readonly fullTextMatches: string[] = [];
  readonly #now: number;

  constructor(now: number) {
    this.#now = now;
  }

  node(node: QueryNode): string {
    return walkQuery(node, COLUMNS, {
      text: (term) => this.#text(term),
      column: (column, field, value, position) => this.#column(column.column, column.kind, field, value, position),
      document: (field, value, position) => this.#document(field, value, position),
    });
  }

  #fts(match: string): string {
    this.fullTextMatches.push(match);
    return FTS.replace('?', this.#param(match));
  }

  #param(value: unknown): string {
    this.params.push(value);
    return '?';
  }

  #text(term: TermValue): string {
    if (term.wildcard && literalPrefix(term.value) === '' && /^[*?]+$/.test(term.value)) return '1';
    const match = ftsOfTerm(term);
    if (!match) return '1';
    return this.#fts(match);
  }

  #column(column: string, kind: ColumnKind, field: string, value: FieldValue, position: number): string {
    if (value.type === 'exists') return kind === 'time' ? `${column} IS NOT NULL` : `(${column} IS NOT NULL AND ${column} <> '')`;
    if (value.type === 'range') {
      const parts: string[] = [];
      const bound = (b: Bound, op: string) => {
        if (!b) return;
        const v = kind === 'time' ? this.#time(field, b.value, position) : b.value;
        parts.push(`${column} ${op}${b.inclusive ? '=' : ''} ${this.#param(v)}`);
      };
      bound(value.lower, '>');
      bound(value.upper, '<');
      return parts.length === 0 ? `${column} IS NOT NULL` : `(${parts.join(' AND ')})`;
    }
    if (kind === 'time') {
      if (value.wildcard) throw new QuerySyntaxError(`${field} takes a time or a range, not a wildcard`, position);
      return `${column} = ${this.#param(this.#time(field, value.value, position))}`;
    }
    if (kind === 'tenant') {
      if (value.wildcard) {
        const p = likePattern(value.value);
        return `(e.tenant_id LIKE ${this.#param(p)} ESCAPE '\\' OR e.tenant_name LIKE ${this.#param(p)} ESCAPE '\\')`;
      }
      return `(e.tenant_id = ${this.#param(value.value)} OR e.tenant_name = ${this.#param(value.value)})`;
    }
    if (kind === 'list') {
      const pattern = value.wildcard ? likePattern(value.value) : likePattern(value.value.replace(/[\\*?]/g, '\\$&'));
      return `(' ' || ${column} || ' ') LIKE ${this.#param(`% ${pattern} %`)} ESCAPE '\\'`;
    }
    // Parameters are bound in the order they appear in the SQL: the narrowing's first.
    const narrowing = NARROWED_BY_FULL_TEXT.has(column) ? ftsOfTerm(value) : undefined;
    const fts = narrowing ? `${this.#fts(narrowing)} AND ` : '';
    const test = value.wildcard
      ? `${column} LIKE ${this.#param(likePattern(value.value))} ESCAPE '\\'`
      : `${column} = ${this.#param(value.value)}`;
    return fts ? `(${fts}${test})` : test;
  }

  #time(field: string, value: string, position: number): number {
    const time = parseTimeValue(value, this.#now);
    if (time === undefined)
      throw new QuerySyntaxError(`${field} needs a time such as now-1h or 2026-11-24T10:00:00Z, not "${value}"`, position);
    return time;
  }

  /** A field read from the stored document, after a full-text pre-filter on its value's words when the field is indexed. */
  #document(field: string, value: FieldValue, position: number): string {
    const raw = field.startsWith('raw.');
    const path = raw ? field.slice(4) : field;
    if (path === '') throw new QuerySyntaxError('"raw." needs a field name of the raw record after it', position);
    let test: (v: unknown) => boolean;
    let prefilter: string | undefined;
    if (value.type === 'exists') {
      test = (v) => v !== '';
    } else if (value.type === 'range') {
      test = this.#rangeTest(field, value.lower, value.upper, position);
    } else {
      const matches = compileSigmaString(value.wildcard ? value.value : value.value.replace(/[\\*?]/g, '\\$&'), 'exact', false);
      test = (v) => {
        const text = scalarText(v);
        return text !== undefined && matches(text);
      };
      // Only a field whose values are in the full-text index may be narrowed by it first.
      if (isFullTextField(field)) prefilter = ftsOfTerm(value);
    }
    const index = this.matchers.push({ raw, test: (doc) => valuesAt(doc, path).some(test) }) - 1;
    // Parameters are bound in the order they appear in the SQL: the pre-filter's first.
    const fts = prefilter ? `${this.#fts(prefilter)} AND ` : '';
    return `(${fts}doc_match(e.block, e.slot, ${this.#param(index)}))`;
  }

  /** Numbers compare as numbers, times (ISO strings, now-1h) as times, anything else as text. */
  #rangeTest(field: string, lower: Bound, upper: Bound, position: number): (v: unknown) => boolean {
    const bounds = [lower, upper].filter((b): b is NonNullable<Bound> => b !== undefined);
    if (bounds.every((b) => b.value.trim() !== '' && Number.isFinite(Number(b.value)))) {
      return (v) => {
        const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
        if (!Number.isFinite(n)) return false;
        return (
          (!lower || compareBound(n, Number(lower.value), lower.inclusive, false)) &&
          (!upper || compareBound(n, Number(upper.value), upper.inclusive, true))
        );
      };
    }
    const times = bounds.map((b) => parseTimeValue(b.value, this.#now));
    if (times.every((t) => t !== undefined)) {
      const lo = lower ? this.#time(field, lower.value, position) : undefined;
      const hi = upper ? this.#time(field, upper.value, position) : undefined;
      return (v) => {
        const t = typeof v === 'string' ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) : Number.NaN;
        if (!Number.isFinite(t)) return false;
        return (
          (lo === undefined || compareBound(t, lo, lower!.inclusive, false)) &&
          (hi === undefined || compareBound(t, hi, upper!.inclusive, true))
        );
      };
    }
    return (v) => {
      const text = scalarText(v)?.toLowerCase();
      if (text === undefined) return false;
      const lo = lower?.value.toLowerCase();
      const hi = upper?.value.toLowerCase();
      return (
        (lo === undefined || (lower!.inclusive ? text >= lo : text > lo)) &&
        (hi === undefined || (upper!.inclusive ? text <= hi : text < hi))
      );
    };
  }
}

/** `field = value` (a filter of the page: `user`, `ip`…) compiled as the same test in a query would be. */
export function compileFieldEquals(field: string, value: string): CompiledWhere {
  const compiler = new Compiler(0);
  const sql = compiler.node({ kind: 'field', field, value: { type: 'term', value, phrase: true, wildcard: false }, position: 0 });
  return { sql, params: compiler.params, matchers: compiler.matchers, fullTextMatches: compiler.fullTextMatches };
}

/** Compiles a query string into a WHERE clause over `events e` (values only as parameters). */
export function compileQuery(query: string, now: number): CompiledWhere {
  const ast = parseQuery(query);
  if (!ast) return { sql: '1', params: [], matchers: [], fullTextMatches: [] };
  const compiler = new Compiler(now);
  const sql = compiler.node(ast);
  return { sql, params: compiler.params, matchers: compiler.matchers, fullTextMatches: compiler.fullTextMatches };
}
