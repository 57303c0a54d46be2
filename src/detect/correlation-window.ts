import type { CorrelationRule, CountCondition } from './types.ts';

/** One match inside a correlation group. */
export interface Entry {
  time: number;
  /** Index of the matched rule in the correlation's `rules` list. */
  ruleIndex: number;
  /** What is counted: the event id (or the firing of an inner correlation). One event matched by two rules counts once. */
  key: string;
  eventIds: string[];
  /** value_count: the value(s) of the field(s); value_sum / value_avg / value_percentile: the field's value. */
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
 * as a window reaches it. Others (lt, lte, eq, neq, averages, percentiles) are decided when a window closes.
 */
export function firesEarly(rule: CorrelationRule): boolean {
  if (rule.type === 'temporal' || rule.type === 'temporal_ordered') return true;
  if (rule.type === 'value_avg' || rule.type === 'value_percentile') return false;
  const c = rule.condition ?? {};
  return c.lt === undefined && c.lte === undefined && c.eq === undefined && c.neq === undefined;
}

/**
 * Does the window `entries` (sorted by time, all within the timespan) satisfy the rule? Returns the indexes of the
 * entries that made it fire (only those end up in the alert), or undefined.
 */
export function windowFiring(rule: CorrelationRule, entries: Entry[]): number[] | undefined {
  const all = () => entries.map((_, i) => i);
  switch (rule.type) {
    case 'event_count':
      return conditionHolds(rule.condition!, new Set(entries.map((e) => e.key)).size) ? all() : undefined;
    case 'value_count': {
      const distinct = new Set<string>();
      for (const e of entries) for (const v of e.values) distinct.add(v);
      return conditionHolds(rule.condition!, distinct.size) ? all() : undefined;
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
      if (count === 0) return undefined;
      return conditionHolds(rule.condition!, rule.type === 'value_sum' ? sum : sum / count) ? all() : undefined;
    }
    case 'value_percentile':
      return percentileFiring(rule.condition!, entries);
    case 'temporal': {
      const firstOfRule = new Map<number, number>();
      entries.forEach((e, i) => {
        if (!firstOfRule.has(e.ruleIndex)) firstOfRule.set(e.ruleIndex, i);
      });
      const holds = rule.condition ? conditionHolds(rule.condition, firstOfRule.size) : firstOfRule.size === rule.rules.length;
      return holds ? [...firstOfRule.values()].sort((a, b) => a - b) : undefined;
    }
    case 'temporal_ordered': {
      const chosen: number[] = [];
      entries.forEach((e, i) => {
        if (chosen.length < rule.rules.length && e.ruleIndex === chosen.length) chosen.push(i);
      });
      return chosen.length === rule.rules.length ? chosen : undefined;
    }
  }
}

/**
 * value_percentile: the share (0–100) of the window's events that carry each value; the window fires for the values
 * whose share meets the condition (`lte: 1` = values seen in at most 1 % of the events), listing only their events.
 */
function percentileFiring(condition: CountCondition, entries: Entry[]): number[] | undefined {
  const counts = new Map<string, number>();
  for (const e of entries) {
    const v = e.values[0];
    if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  const chosen = entries.flatMap((e, i) => {
    const v = e.values[0];
    return v !== undefined && conditionHolds(condition, (counts.get(v)! * 100) / total) ? [i] : [];
  });
  return chosen.length > 0 ? chosen : undefined;
}

/**
 * Among the windows of length `span` that contain time `t` (start = an entry time in [t - span, t]),
 * the first one that satisfies the rule: its [start, end) bounds and the firing entries (absolute indexes).
 */
export function findFiringContaining(rule: CorrelationRule, entries: Entry[], t: number): number[] | undefined {
  const span = rule.timespanMs;
  let start = lowerBound(entries, t - span);
  let end = start;
  for (; start < entries.length && entries[start]!.time <= t; start++) {
    const limit = entries[start]!.time + span;
    if (end < start) end = start;
    while (end < entries.length && entries[end]!.time <= limit) end++;
    const chosen = windowFiring(rule, entries.slice(start, end));
    if (chosen) return chosen.map((i) => i + start);
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
