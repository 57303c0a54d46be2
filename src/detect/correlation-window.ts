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
  /** Rules decided as a window fills: this match has completed the window ending at it (its firing was raised). */
  fired?: true;
  /**
   * Set with `fired` (a detector-wide serial number of the firing) while every match that joined the window since
   * was raised with it: the events of the window are then all in what the firing delivered, so the next version
   * need only bring the new ones. Cleared when a match joined without a raise (the window had shrunk below the
   * condition), and absent in state written before it existed.
   */
  firedAt?: number;
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
 * as the window ending at a match satisfies it. Others (lt, lte, eq, neq, averages, percentiles) are decided when
 * a window closes.
 */
export function firesEarly(rule: CorrelationRule): boolean {
  if (rule.type === 'temporal' || rule.type === 'temporal_ordered') return true;
  if (rule.type === 'value_avg' || rule.type === 'value_percentile') return false;
  const c = rule.condition ?? {};
  return c.lt === undefined && c.lte === undefined && c.eq === undefined && c.neq === undefined;
}

/**
 * Fewest matches a window needs before a lower-bound rule can hold in it (a window with fewer is not evaluated):
 * event_count counts distinct matches, temporal rules need a match per step; value counts may carry several
 * values per match, so 1.
 */
export function fewestMatches(rule: CorrelationRule): number {
  const c = rule.condition ?? {};
  if (rule.type === 'event_count') return Math.max(1, c.gte ?? (c.gt ?? 0) + 1);
  if (rule.type === 'temporal_ordered' || (rule.type === 'temporal' && !rule.condition)) return rule.rules.length;
  return 1;
}

/**
 * Does the window `[from, to)` of `entries` (sorted by time, all within the timespan) satisfy the rule? Returns the
 * indexes (into `entries`, ascending) of the entries that made it fire (only those end up in the alert), or undefined.
 */
export function windowFiring(rule: CorrelationRule, entries: Entry[], from = 0, to = entries.length): number[] | undefined {
  if (rule.type === 'temporal_ordered') return orderedParticipants(rule.rules.length, entries, from, to);
  const window = from === 0 && to === entries.length ? entries : entries.slice(from, to);
  const chosen = unorderedFiring(rule, window);
  return chosen && from > 0 ? chosen.map((i) => i + from) : chosen;
}

/** `windowFiring` for every type but temporal_ordered (whose test reads the window in place), on all of `entries`. */
function unorderedFiring(rule: CorrelationRule, entries: Entry[]): number[] | undefined {
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
      const rulesSeen = new Set(entries.map((e) => e.ruleIndex)).size;
      const holds = rule.condition ? conditionHolds(rule.condition, rulesSeen) : rulesSeen === rule.rules.length;
      return holds ? all() : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * temporal_ordered: the entries of `[from, to)` that take part in at least one sequence of the steps in order
 * (entries sorted by time, then step): a step-k entry after the earliest completion of steps 0..k-1 and before the
 * latest start of steps k+1..n-1. Undefined when no sequence exists. Adding entries only adds participants, so the
 * union over a window's versions is the participants of its final version. Read in place: a late match re-tests
 * every later window of its group, so no window is copied.
 */
function orderedParticipants(steps: number, entries: Entry[], from: number, to: number): number[] | undefined {
  const earliest = new Array<number>(steps);
  let step = 0;
  for (let i = from; i < to && step < steps; i++) if (entries[i]!.ruleIndex === step) earliest[step++] = i;
  if (step < steps) return undefined;
  const latest = new Array<number>(steps);
  step = steps - 1;
  for (let i = to - 1; i >= from && step >= 0; i--) if (entries[i]!.ruleIndex === step) latest[step--] = i;
  const chosen: number[] = [];
  for (let i = from; i < to; i++) {
    const k = entries[i]!.ruleIndex;
    if ((k === 0 || i > earliest[k - 1]!) && (k === steps - 1 || i < latest[k + 1]!)) chosen.push(i);
  }
  return chosen;
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

/** First index whose time is > `time` (entries sorted by time). */
export function upperBound(entries: Entry[], time: number): number {
  return lowerBound(entries, time + 1);
}

/** Entry order: time, then step (rule index), then key; a total order, so ties sort the same whatever arrived first. */
function before(a: Entry, b: Entry): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.ruleIndex !== b.ruleIndex) return a.ruleIndex < b.ruleIndex;
  return a.key < b.key;
}

/** Inserts keeping entry order (late records land in the right place); returns the index. */
export function insertSorted(entries: Entry[], entry: Entry): number {
  let i = entries.length;
  if (i > 0 && before(entry, entries[i - 1]!)) {
    // Late: a binary search to its time, then past the ties that sort before it.
    i = lowerBound(entries, entry.time);
    while (i < entries.length && before(entries[i]!, entry)) i++;
  }
  entries.splice(i, 0, entry);
  return i;
}
