import { DetectionSyntaxError } from './errors.ts';
import type { CorrelationType, CountCondition } from './types.ts';

/**
 * A Sigma v1 aggregation written after the search in a condition, `selection | count(field) by group > 10`, with its
 * `timeframe`: the form of SigmaHQ's rules before correlation rules existed (many rule sets still use it).
 */
export interface Aggregation {
  /** The condition without its aggregation: which events are counted. */
  search: string;
  /** The correlation that evaluates the same thing: `count()` event_count, `count(f)` value_count (distinct values). */
  type: Extract<CorrelationType, 'event_count' | 'value_count' | 'value_sum' | 'value_avg'>;
  field?: string;
  groupBy: string[];
  condition: CountCondition;
}

const AGGREGATION =
  /^(?<search>.*?)\s*\|\s*(?<fn>\w+)\s*\(\s*(?<field>[^()\s]*)\s*\)\s*(?:by\s+(?<by>[^<>=!]+?)\s*)?(?<op><=|>=|==|!=|<|>|=)\s*(?<value>-?\d+(?:\.\d+)?)\s*$/is;

const OPERATORS: Record<string, keyof CountCondition> = {
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  '=': 'eq',
  '==': 'eq',
  '!=': 'neq',
};

/** `undefined` for a condition without `|`; the aggregation otherwise, or a DetectionSyntaxError naming what is wrong. */
export function parseAggregation(condition: string): Aggregation | undefined {
  if (!condition.includes('|')) return undefined;
  const m = AGGREGATION.exec(condition);
  if (!m?.groups)
    throw new DetectionSyntaxError(
      `condition "${condition}": the aggregation after "|" must look like "count(field) by group > 10"`,
    );
  const { search, fn, field, by, op, value } = m.groups as Record<string, string | undefined>;
  if (!search) throw new DetectionSyntaxError(`condition "${condition}": no search before "|"`);
  const name = fn!.toLowerCase();
  let type: Aggregation['type'];
  if (name === 'count') type = field ? 'value_count' : 'event_count';
  else if (name === 'sum') type = 'value_sum';
  else if (name === 'avg') type = 'value_avg';
  else
    throw new DetectionSyntaxError(
      `condition "${condition}": "${fn}()" has no correlation equivalent (supported: count, sum, avg)`,
    );
  if (type !== 'event_count' && type !== 'value_count' && !field)
    throw new DetectionSyntaxError(`condition "${condition}": ${name}() needs a field`);
  const aggregation: Aggregation = {
    search,
    type,
    groupBy: by ? by.split(/[\s,]+/).filter((f) => f !== '') : [],
    condition: { [OPERATORS[op!]!]: Number(value) },
  };
  if (field) aggregation.field = field;
  return aggregation;
}
