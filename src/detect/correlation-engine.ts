import { type Entry, findWindowContaining, firesEarly, insertSorted, lowerBound, windowSatisfies } from './correlation-window.ts';
import { lookupField } from './field-lookup.ts';
import type { CorrelationRule, DetectableEvent } from './types.ts';

/** A match that feeds correlations: from a detection rule (one event) or from a correlation that fired. */
export interface Signal {
  /** Id and (when set) name of the rule that matched. */
  ruleKeys: string[];
  tenantId: string;
  tenantName?: string | undefined;
  time: number;
  eventIds: string[];
  /** The (last) event behind the signal, for group-by and value fields. */
  event: DetectableEvent;
  /** Group values of a correlation signal: chained correlations group on them first. */
  groupBy?: Record<string, string>;
}

export interface CorrelationFiring {
  rule: CorrelationRule;
  signal: Signal;
}

export interface CorrelationLimits {
  /** Most groups held across all correlation rules; the least recently used group is dropped beyond it. */
  maxGroups: number;
  /** Most matches kept per group; the oldest go first. */
  maxEntriesPerGroup: number;
  /** How long after a group's window a group is kept for records that arrive late (ms). */
  allowedLatenessMs: number;
}

interface Group {
  rule: CorrelationRule;
  tenantId: string;
  tenantName?: string | undefined;
  groupBy: Record<string, string>;
  entries: Entry[];
  /** Latest event time seen in the group. */
  maxTime: number;
  lastEvent: DetectableEvent;
}

export interface CorrelationStats {
  groups: number;
  evictedGroups: number;
  expiredGroups: number;
  droppedEntries: number;
  /** Matches not counted because a group-by (or value_count) field was missing. */
  missingFieldSkips: number;
}

/**
 * Sliding-window correlation on event time, per (correlation rule, tenant, group-by values).
 * Records may arrive late and out of order; state is bounded by `maxGroups` × `maxEntriesPerGroup`
 * and expires once the tenant's watermark (latest event time seen) is past the window plus the lateness allowance.
 */
export class CorrelationEngine {
  private readonly groups = new Map<string, Group>();
  private readonly watermarks = new Map<string, number>();
  private readonly counters = { evictedGroups: 0, expiredGroups: 0, droppedEntries: 0, missingFieldSkips: 0 };

  constructor(private readonly limits: CorrelationLimits) {}

  /** Moves the tenant's watermark forward and returns it. */
  observe(tenantId: string, time: number): number {
    const current = this.watermarks.get(tenantId);
    if (current === undefined || time > current) this.watermarks.set(tenantId, time);
    return this.watermarks.get(tenantId)!;
  }

  /** Adds a signal to `rule`; returns the firings (zero or more) it causes. */
  add(rule: CorrelationRule, signal: Signal): CorrelationFiring[] {
    const ruleIndex = rule.rules.findIndex((r) => signal.ruleKeys.includes(r));
    if (ruleIndex < 0) return [];
    const matchedKey = rule.rules[ruleIndex]!;
    const groupBy: Record<string, string> = {};
    for (const field of rule.groupBy) {
      const value = groupValue(rule, field, matchedKey, signal);
      if (value === undefined) {
        this.counters.missingFieldSkips++;
        return [];
      }
      groupBy[field] = value;
    }
    let values: string[] = [];
    if (rule.valueField && rule.type !== 'event_count') {
      values = distinctStrings(lookupField(signal.event, aliasField(rule, rule.valueField!, matchedKey)));
      if (values.length === 0) {
        this.counters.missingFieldSkips++;
        return [];
      }
    }
    const key = `${rule.id}\u0000${signal.tenantId}\u0000${rule.groupBy.map((f) => groupBy[f]).join('\u0000')}`;
    const group = this.touch(key, rule, signal, groupBy);
    const entry: Entry = { time: signal.time, ruleIndex, eventIds: signal.eventIds, values };
    insertSorted(group.entries, entry);
    if (signal.time >= group.maxTime) {
      group.maxTime = signal.time;
      group.lastEvent = signal.event;
    }
    this.trim(group);

    const firings: CorrelationFiring[] = [];
    if (firesEarly(rule)) {
      const window = findWindowContaining(rule, group.entries, signal.time);
      if (window) firings.push(this.fire(group, window[0], window[1]));
    }
    firings.push(...this.closeWindows(group, this.watermarks.get(signal.tenantId) ?? signal.time));
    if (group.entries.length === 0) this.groups.delete(key);
    return firings;
  }

  /**
   * Decides windows that are over at `now` (for lt/lte/eq/neq conditions) and drops expired groups.
   * Call it periodically with the current time; `now` also counts as every tenant's watermark.
   */
  flush(now: number): CorrelationFiring[] {
    const firings: CorrelationFiring[] = [];
    for (const [key, group] of this.groups) {
      const horizon = Math.max(now, this.watermarks.get(group.tenantId) ?? now);
      firings.push(...this.closeWindows(group, horizon));
      if (group.entries.length === 0 || group.maxTime < horizon - group.rule.timespanMs - this.limits.allowedLatenessMs) {
        this.groups.delete(key);
        if (group.entries.length > 0) this.counters.expiredGroups++;
      }
    }
    return firings;
  }

  /** Drops groups whose newest match is too old for their window, given each tenant's watermark. */
  expire(): void {
    for (const [key, group] of this.groups) {
      const watermark = this.watermarks.get(group.tenantId) ?? group.maxTime;
      if (group.maxTime < watermark - group.rule.timespanMs - this.limits.allowedLatenessMs) {
        this.groups.delete(key);
        this.counters.expiredGroups++;
      }
    }
  }

  stats(): CorrelationStats {
    return { groups: this.groups.size, ...this.counters };
  }

  private touch(key: string, rule: CorrelationRule, signal: Signal, groupBy: Record<string, string>): Group {
    let group = this.groups.get(key);
    if (group) {
      // Re-insert: Map order is least-recently-used first.
      this.groups.delete(key);
    } else {
      group = {
        rule,
        tenantId: signal.tenantId,
        tenantName: signal.tenantName,
        groupBy,
        entries: [],
        maxTime: signal.time,
        lastEvent: signal.event,
      };
      while (this.groups.size >= this.limits.maxGroups) {
        const oldest = this.groups.keys().next().value as string;
        this.groups.delete(oldest);
        this.counters.evictedGroups++;
      }
    }
    this.groups.set(key, group);
    return group;
  }

  /** Keeps the group within its entry cap and drops entries too old to share a window with the newest one. */
  private trim(group: Group): void {
    const horizon = group.maxTime - group.rule.timespanMs - this.limits.allowedLatenessMs;
    const stale = lowerBound(group.entries, horizon);
    const overflow = Math.max(0, group.entries.length - stale - this.limits.maxEntriesPerGroup);
    const drop = stale + overflow;
    if (drop > 0) {
      group.entries.splice(0, drop);
      this.counters.droppedEntries += drop;
    }
  }

  /**
   * Windows that ended before `horizon`, for conditions decided at close (lt/lte/eq/neq): a window opens at the
   * group's oldest match and spans the timespan; its matches are then consumed, whether it fired or not.
   */
  private closeWindows(group: Group, horizon: number): CorrelationFiring[] {
    if (firesEarly(group.rule)) return [];
    const firings: CorrelationFiring[] = [];
    const span = group.rule.timespanMs;
    while (group.entries.length > 0 && group.entries[0]!.time + span < horizon) {
      const end = lowerBound(group.entries, group.entries[0]!.time + span + 1);
      if (windowSatisfies(group.rule, group.entries.slice(0, end))) firings.push(this.fire(group, 0, end));
      else group.entries.splice(0, end);
    }
    return firings;
  }

  /** Emits the window [start, end) and removes its matches, so the same matches do not fire twice. */
  private fire(group: Group, start: number, end: number): CorrelationFiring {
    const used = group.entries.splice(start, end - start);
    const last = used[used.length - 1]!;
    return {
      rule: group.rule,
      signal: {
        ruleKeys: [group.rule.id, ...(group.rule.name ? [group.rule.name] : [])],
        tenantId: group.tenantId,
        tenantName: group.tenantName,
        time: last.time,
        eventIds: used.flatMap((e) => e.eventIds),
        event: group.lastEvent,
        groupBy: group.groupBy,
      },
    };
  }
}

function aliasField(rule: CorrelationRule, field: string, matchedKey: string): string {
  return rule.aliases[field]?.[matchedKey] ?? field;
}

function groupValue(rule: CorrelationRule, field: string, matchedKey: string, signal: Signal): string | undefined {
  const fromGroup = signal.groupBy?.[field];
  if (fromGroup !== undefined) return fromGroup;
  const values = distinctStrings(lookupField(signal.event, aliasField(rule, field, matchedKey)));
  return values.length > 0 ? values.join(',') : undefined;
}

function distinctStrings(values: unknown[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v === 'string' ? v !== '' : typeof v === 'number' || typeof v === 'boolean') out.add(String(v));
  }
  return [...out];
}
