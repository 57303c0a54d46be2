import type { FieldValue, QueryNode, RangeValue, TermValue } from './ast.ts';
import { QuerySyntaxError } from './query-error.ts';

/**
 * Parses a search in the style of Kibana's KQL / Lucene over ECS field names:
 *
 *   user.name:alice*   event.outcome:failure   "failed to log in"   source.geo.country_iso_code:FR
 *   alice OR bob   NOT event.action:UserLoggedIn   -exchange   (a OR b) AND c   a b (implicit AND)
 *   event.code>=10   @timestamp >= now-1h   @timestamp:[2026-11-24T00:00:00Z TO now]   url.domain:*
 *   event.action:(FileDownloaded OR FileAccessed)
 *
 * `AND`, `OR`, `NOT` and `TO` are keywords in any case (quote them to search the word). A backslash escapes the next
 * character. Errors carry the 0-based position of the mistake.
 */

export const MAX_QUERY_LENGTH = 4096;
export const MAX_DEPTH = 32;
export const MAX_CLAUSES = 256;

const FIELD_NAME = /^[A-Za-z_@][\w.@-]*$/;
/** Characters that end an unquoted word. */
const STOP = new Set([' ', '\t', '\n', '\r', '(', ')', '"', '[', ']', '{', '}', '<', '>']);
const KEYWORDS = new Set(['AND', 'OR', 'NOT']);

interface Word {
  text: string;
  /** The word with escaped `*`, `?` and `\\` kept as `\\*`, `\\?`, `\\\\` (what a wildcard value carries). */
  pattern: string;
  /** The word has an unescaped `*` or `?`. */
  wildcard: boolean;
  /** Any character was escaped (then the word is never a keyword). */
  escaped: boolean;
  start: number;
}

class Parser {
  readonly #input: string;
  #pos = 0;
  #depth = 0;
  #clauses = 0;

  constructor(input: string) {
    this.#input = input;
  }

  parse(): QueryNode | undefined {
    this.#skipSpace();
    if (this.#pos >= this.#input.length) return undefined;
    const node = this.#or();
    this.#skipSpace();
    if (this.#pos < this.#input.length) {
      const c = this.#input[this.#pos];
      throw new QuerySyntaxError(c === ')' ? 'unmatched ")"' : `unexpected "${c}"`, this.#pos);
    }
    return node;
  }

  #fail(reason: string, at = this.#pos): never {
    throw new QuerySyntaxError(reason, at);
  }

  #skipSpace(): void {
    while (this.#pos < this.#input.length && /\s/.test(this.#input[this.#pos]!)) this.#pos++;
  }

  #peek(): string | undefined {
    return this.#input[this.#pos];
  }

  /** The keyword (upper case) at the current position, if any, without consuming it. */
  #keyword(): string | undefined {
    const match = /^(AND|OR|NOT)(?=[\s()"]|$)/i.exec(this.#input.slice(this.#pos, this.#pos + 4));
    const word = match?.[1]?.toUpperCase();
    return word && KEYWORDS.has(word) ? word : undefined;
  }

  #atEnd(): boolean {
    this.#skipSpace();
    return this.#pos >= this.#input.length;
  }

  #or(): QueryNode {
    const children = [this.#and()];
    while (!this.#atEnd() && this.#keyword() === 'OR') {
      const at = this.#pos;
      this.#pos += 2;
      if (this.#atEnd() || this.#peek() === ')') this.#fail('"OR" needs something after it', at);
      children.push(this.#and());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  #and(): QueryNode {
    const children = [this.#unary()];
    for (;;) {
      if (this.#atEnd() || this.#peek() === ')') break;
      const keyword = this.#keyword();
      if (keyword === 'OR') break;
      if (keyword === 'AND') {
        const at = this.#pos;
        this.#pos += 3;
        if (this.#atEnd() || this.#peek() === ')') this.#fail('"AND" needs something after it', at);
      }
      children.push(this.#unary());
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  #unary(): QueryNode {
    this.#skipSpace();
    const at = this.#pos;
    const keyword = this.#keyword();
    if (keyword === 'NOT') {
      this.#pos += 3;
      if (this.#atEnd() || this.#peek() === ')') this.#fail('"NOT" needs something after it', at);
      return { kind: 'not', child: this.#nested(() => this.#unary()) };
    }
    if (keyword === 'AND' || keyword === 'OR') this.#fail(`"${keyword}" needs something before it`, at);
    const c = this.#peek();
    if ((c === '-' || c === '!') && this.#pos + 1 < this.#input.length && !/[\s)]/.test(this.#input[this.#pos + 1]!)) {
      this.#pos++;
      return { kind: 'not', child: this.#nested(() => this.#unary()) };
    }
    return this.#primary();
  }

  #nested<T>(fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) this.#fail(`the query nests deeper than ${MAX_DEPTH} levels`);
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  #countClause(at: number): void {
    if (++this.#clauses > MAX_CLAUSES) this.#fail(`the query has more than ${MAX_CLAUSES} terms`, at);
  }

  #group<T>(inner: () => T): T {
    const open = this.#pos;
    this.#pos++;
    const node = this.#nested(() => {
      if (this.#atEnd() || this.#peek() === ')') this.#fail('empty parentheses', open);
      return inner();
    });
    this.#skipSpace();
    if (this.#peek() !== ')') this.#fail('"(" is never closed', open);
    this.#pos++;
    return node;
  }

  #primary(): QueryNode {
    this.#skipSpace();
    const at = this.#pos;
    const c = this.#peek();
    if (c === '(') return this.#group(() => this.#or());
    if (c === '"') {
      this.#countClause(at);
      return { kind: 'text', value: this.#quoted(), position: at };
    }
    if (c === ')') this.#fail('unmatched ")"');
    if (c === '[' || c === ']' || c === '{' || c === '}') this.#fail(`"${c}" only belongs in a range such as field:[1 TO 5]`);
    if (c === '<' || c === '>') this.#fail(`"${c}" needs a field name before it, as in event.code${c}=10`);
    const word = this.#word(false);
    this.#countClause(at);
    // A field name followed by ":" or a comparison (spaces allowed before the operator: `@timestamp >= now-1h`).
    if (!word.escaped && FIELD_NAME.test(word.text)) {
      const save = this.#pos;
      this.#skipSpace();
      const next = this.#peek();
      if (next === ':' && this.#pos === save) {
        this.#pos++;
        return this.#fieldValue(word.text, at);
      }
      if (next === '<' || next === '>') return this.#comparison(word.text, at);
      this.#pos = save;
    }
    if (this.#peek() === ':') {
      // Not a field name (`2001:db8::1`, `C:\\temp`): the colon belongs to the word.
      this.#pos = at;
      return { kind: 'text', value: termOf(this.#word(true)), position: at };
    }
    return { kind: 'text', value: termOf(word), position: at };
  }

  #fieldValue(field: string, at: number): QueryNode {
    const c = this.#peek();
    if (c === undefined || /\s/.test(c)) this.#fail(`"${field}:" needs a value`, this.#pos);
    if (c === '(') {
      const node = this.#group(() => this.#valueOr(field));
      return node;
    }
    if (c === '[' || c === '{') return { kind: 'field', field, value: this.#range(), position: at };
    if (c === '<' || c === '>') return this.#comparison(field, at);
    return { kind: 'field', field, value: this.#value(field), position: at };
  }

  /** `field:(a OR b AND NOT c)`: a boolean expression of values of one field. */
  #valueOr(field: string): QueryNode {
    const children = [this.#valueAnd(field)];
    while (!this.#atEnd() && this.#keyword() === 'OR') {
      const at = this.#pos;
      this.#pos += 2;
      if (this.#atEnd() || this.#peek() === ')') this.#fail('"OR" needs something after it', at);
      children.push(this.#valueAnd(field));
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  }

  #valueAnd(field: string): QueryNode {
    const children = [this.#valueUnary(field)];
    for (;;) {
      if (this.#atEnd() || this.#peek() === ')') break;
      const keyword = this.#keyword();
      if (keyword === 'OR') break;
      if (keyword === 'AND') {
        const at = this.#pos;
        this.#pos += 3;
        if (this.#atEnd() || this.#peek() === ')') this.#fail('"AND" needs something after it', at);
      }
      children.push(this.#valueUnary(field));
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  }

  #valueUnary(field: string): QueryNode {
    this.#skipSpace();
    const at = this.#pos;
    if (this.#keyword() === 'NOT') {
      this.#pos += 3;
      if (this.#atEnd() || this.#peek() === ')') this.#fail('"NOT" needs something after it', at);
      return { kind: 'not', child: this.#nested(() => this.#valueUnary(field)) };
    }
    if (this.#peek() === '(') return this.#group(() => this.#valueOr(field));
    if (this.#peek() === ')') this.#fail('unmatched ")"');
    this.#countClause(at);
    return { kind: 'field', field, value: this.#value(field), position: at };
  }

  #value(field: string): FieldValue {
    const at = this.#pos;
    const c = this.#peek();
    if (c === '"') return this.#quoted();
    if (c === undefined || STOP.has(c)) this.#fail(`"${field}:" needs a value`, at);
    const word = this.#word(true);
    if (word.text === '*' && !word.escaped) return { type: 'exists' };
    return termOf(word);
  }

  #comparison(field: string, at: number): QueryNode {
    const opAt = this.#pos;
    let op = this.#input[this.#pos]!;
    this.#pos++;
    if (this.#peek() === '=') {
      op += '=';
      this.#pos++;
    }
    this.#skipSpace();
    const c = this.#peek();
    if (c === undefined || (STOP.has(c) && c !== '"')) this.#fail(`"${field} ${op}" needs a value`, this.#pos);
    const bound = this.#boundValue();
    if (bound === '*') this.#fail(`"${op}" needs a value, not "*"`, opAt);
    const inclusive = op.length === 2;
    const value: RangeValue = op.startsWith('>')
      ? { type: 'range', lower: { value: bound, inclusive } }
      : { type: 'range', upper: { value: bound, inclusive } };
    return { kind: 'field', field, value, position: at };
  }

  #range(): RangeValue {
    const open = this.#pos;
    const lowerInclusive = this.#input[this.#pos] === '[';
    this.#pos++;
    this.#skipSpace();
    if (this.#peek() === ']' || this.#peek() === '}') this.#fail('a range needs "from TO to"', open);
    const lower = this.#boundValue();
    this.#skipSpace();
    const toAt = this.#pos;
    if (!/^TO(?=[\s"]|$)/i.test(this.#input.slice(this.#pos, this.#pos + 3)))
      this.#fail('a range needs "TO" between its bounds', toAt);
    this.#pos += 2;
    this.#skipSpace();
    if (this.#atEnd()) this.#fail('the range is never closed with "]" or "}"', open);
    const upper = this.#boundValue();
    this.#skipSpace();
    const close = this.#peek();
    if (close !== ']' && close !== '}') this.#fail('the range is never closed with "]" or "}"', open);
    this.#pos++;
    return {
      type: 'range',
      ...(lower !== '*' ? { lower: { value: lower, inclusive: lowerInclusive } } : {}),
      ...(upper !== '*' ? { upper: { value: upper, inclusive: close === ']' } } : {}),
    };
  }

  #boundValue(): string {
    if (this.#peek() === '"') return this.#quoted().value;
    const at = this.#pos;
    const word = this.#word(true, true);
    if (word.text === '') this.#fail('expected a value', at);
    return word.text;
  }

  #quoted(): TermValue {
    const open = this.#pos;
    this.#pos++;
    let text = '';
    for (;;) {
      const c = this.#input[this.#pos];
      if (c === undefined) this.#fail('the quote is never closed', open);
      this.#pos++;
      if (c === '"') break;
      if (c === '\\') {
        const next = this.#input[this.#pos];
        if (next === undefined) this.#fail('the quote is never closed', open);
        text += next;
        this.#pos++;
      } else text += c;
    }
    return { type: 'term', value: text, phrase: true, wildcard: false };
  }

  /** An unquoted word; in a value, ":" belongs to the word (IPv6, times); in a range bound, "]" and "}" end it. */
  #word(value: boolean, bound = false): Word {
    const start = this.#pos;
    let text = '';
    let pattern = '';
    let wildcard = false;
    let escaped = false;
    while (this.#pos < this.#input.length) {
      const c = this.#input[this.#pos]!;
      if (STOP.has(c) || (!value && c === ':') || (bound && (c === ']' || c === '}'))) break;
      if (c === '\\') {
        const next = this.#input[this.#pos + 1];
        if (next === undefined) this.#fail('"\\" at the end of the query escapes nothing', this.#pos);
        text += next;
        pattern += next === '*' || next === '?' || next === '\\' ? `\\${next}` : next;
        escaped = true;
        this.#pos += 2;
        continue;
      }
      if (c === '*' || c === '?') wildcard = true;
      text += c;
      pattern += c;
      this.#pos++;
    }
    if (this.#pos === start) this.#fail(`unexpected "${this.#input[start] ?? 'end of query'}"`, start);
    return { text, pattern, wildcard, escaped, start };
  }
}

function termOf(word: Word): TermValue {
  return { type: 'term', value: word.wildcard ? word.pattern : word.text, phrase: false, wildcard: word.wildcard };
}

/** Parses a query; undefined for an empty one. Throws QuerySyntaxError with the position of the mistake. */
export function parseQuery(input: string): QueryNode | undefined {
  if (input.length > MAX_QUERY_LENGTH)
    throw new QuerySyntaxError(`the query is longer than ${MAX_QUERY_LENGTH} characters`, MAX_QUERY_LENGTH);
  return new Parser(input).parse();
}
