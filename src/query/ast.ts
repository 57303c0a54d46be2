/** The parsed form of a search query (see parser.ts for the syntax). Positions are 0-based character offsets. */

/** A value to compare a field with: `alice`, `"two words"`, `alice*` (wildcard: `*` any run, `?` one character). */
export interface TermValue {
  type: 'term';
  value: string;
  /** Quoted in the query: wildcards are literal characters. */
  phrase: boolean;
  /** Contains an unescaped `*` or `?`; then `value` keeps the escaped ones as backslash-star, backslash-question mark. */
  wildcard: boolean;
}

/** `field:*`: the field is present (and not empty). */
export interface ExistsValue {
  type: 'exists';
}

/** `field>=10`, `field:[a TO b]`, `field:{a TO b}`; an absent bound is open (`*`). */
export interface RangeValue {
  type: 'range';
  lower?: { value: string; inclusive: boolean };
  upper?: { value: string; inclusive: boolean };
}

export type FieldValue = TermValue | ExistsValue | RangeValue;

export type QueryNode =
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** Bare words or a quoted phrase: full-text search. */
  | { kind: 'text'; value: TermValue; position: number }
  | { kind: 'field'; field: string; value: FieldValue; position: number };
