import type { CorrelationRule, CountCondition } from './types.ts';

/** One match inside a correlation group. */
export interface Entry {
  time: number;
  /** Index of the matched rule in the correlation's `rules` list. */
  ruleIndex: number;
  eventIds: string[];
  /** value_count / value_sum / value_avg: the values of the field. */
  values: string[];
}

export function conditionHolds(condition: CountCondition, n: number): boolean {
  if (condition.gt !== undefined && !(n > condition.gt)) return false;
  if (condition.gte !== undefined && !(n >= condition.gte)) return false;
  if (condition.lt !== undefined && !(n < condition.lt)) return false;
  if (condition.lte !== undefined && !(n <= condition.lte)) return false;
  if (condition.eq !== undefined && n !== condition.eq) return false;
  if (condition.neq !== undefined && n === condition.neq) return false;
  return true;
}

/**
 * True when the condition can only become true as a window fills (lower bounds only): such rules fire as soon
 * as a window reaches it. Others (lt, lte, eq, neq) are decided when a window closes.
 */
export function firesEarly(rule: CorrelationRule): boolean {
  if (rule.type === 'temporal' || rule.type === 'temporal_ordered') return true;
  // An average can go down as the window fills: decide it when the window closes.
  if (rule.type === 'value_avg') return false;
  const c = rule.condition ?? {};
  return c.lt === undefined && c.lte === undefined && c.eq === undefined && c.neq === undefined;
}

/** Does the window `entries` (sorted by time, all within the timespan) satisfy the rule? */
export function windowSatisfies(rule: CorrelationRule, entries: Entry[]): boolean {
  switch (rule.type) {
    case 'event_count':
      return conditionHolds(rule.condition!, entries.length);
    case 'value_count': {
      const distinct = new Set<string>();
      for (const e of entries) for (const v of e.values) distinct.add(v);
      return conditionHolds(rule.condition!, distinct.size);
    }
    case 'value_sum':
    case 'value_avg': {
      let sum = 0;
      let count = 0;
      for (const e of entries) {
        const n = Number(e.values[0]);
        if (Number.isFinite(n)) {
          sum += n;
          count++;
        }
      }
      if (count === 0) return false;
      return conditionHolds(rule.condition!, rule.type === 'value_sum' ? sum : sum / count);
    }
    case 'temporal': {
      const distinct = new Set(entries.map((e) => e.ruleIndex)).size;
      return rule.condition ? conditionHolds(rule.condition, distinct) : distinct === rule.rules.length;
    }
    case 'temporal_ordered': {
      let next = 0;
      for (const e of entries) if (e.ruleIndex === next && ++next === rule.rules.length) return true;
      return false;
    }
  }
}

/**
 * Among the windows of length `span` that contain time `t` (start = an entry time in [t - span, t]),
 * the first one that satisfies the rule, as [start, end) indexes into `entries`; undefined when none does.
 */
export function findWindowContaining(rule: CorrelationRule, entries: Entry[], t: number): [number, number] | undefined {
  const span = rule.timespanMs;
  let start = lowerBound(entries, t - span);
  let end = start;
  for (; start < entries.length && entries[start]!.time <= t; start++) {
    const limit = entries[start]!.time + span;
    if (end < start) end = start;
    while (end < entries.length && entries[end]!.time <= limit) end++;
    if (windowSatisfies(rule, entries.slice(start, end))) return [start, end];
  }
  return undefined;
}

/** First index whose time is ≥ `time` (entries sorted by time). */
export function lowerBound(entries: Entry[], time: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts keeping time order (late records land in the right place). */
export function insertSorted(entries: Entry[], entry: Entry): void {
  let i = entries.length;
  while (i > 0 && entries[i - 1]!.time > entry.time) i--;
  entries.splice(i, 0, entry);
}
