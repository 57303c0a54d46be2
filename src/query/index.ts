export type { FieldValue, QueryNode, RangeValue, TermValue } from './ast.ts';
export { MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_LENGTH, parseQuery } from './parser.ts';
export { QuerySyntaxError } from './query-error.ts';
export { parseTimeValue } from './time-value.ts';
