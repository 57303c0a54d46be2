import { hash } from 'node:crypto';
import type { DetectionStateChanges, DetectionStateRow } from '../core/detection-state.ts';
import {
  type Entry,
  fewestMatches,
  firesEarly,
  insertSorted,
  lowerBound,
  upperBound,
  windowFiring,
} from './correlation-window.ts';
import { normalizeValue } from './entity.ts';
import { fieldRef, lookupRef } from './field-lookup.ts';
import { TrackedMap } from './tracked-map.ts';
import type { CorrelationRule, DetectableEvent } from './types.ts';

/** A match that feeds correlations: from a detection rule (one event) or from a correlation that fired. */
export interface Signal {
  /** Id and (when set) name of the rule that matched. */
  ruleKeys: string[];
  tenantId: string;
  tenantName?: string | undefined;
  /** Event time of the (last) event behind the signal. */
  time: number;
  /** Event time of the first event behind the signal. */
  firstTime: number;
  /** What a correlation counts: the event id, or an id of the firing. */
  key: string;
  eventIds: string[];
  /** The event behind the signal (for a correlation firing: the last one, or its group-by values), for field lookups. */
  event: DetectableEvent;
  /** Group values of a correlation signal: chained correlations group on them first. */
  groupBy?: Record<string, string>;
  /** A firing raised before, again with more events (a late match joined its window): not a new firing. */
  repeat?: boolean;
}

export interface CorrelationFiring {
  rule: CorrelationRule;
  signal: Signal;
}

export interface CorrelationLimits {
  /** Most groups held across all correlation rules and tenants; the least recently used group is evicted beyond it. */
  maxGroups: number;
  /** Most matches kept per group; the oldest go first. */
  maxEntriesPerGroup: number;
  /** Windows close, and groups expire, once the tenant's newest event time minus this has passed them (ms). */
  allowedLatenessMs: number;
  /** Called on each group evicted by `maxGroups` (metrics). */
  onEvict?: () => void;
}

interface Group {
  ruleId: string;
  tenantId: string;
  tenantName?: string | undefined;
  groupBy: Record<string, string>;
  entries: Entry[];
}

interface TenantClock {
  tenantId: string;
  /** Newest event time seen for the tenant. */
  newest: number;
}

export interface CorrelationStats {
  groups: number;
  evictedGroups: number;
  expiredGroups: number;
  droppedEntries: number;
  /** Matches not counted because a group-by (or value) field was missing. */
  missingFieldSkips: number;
}

/** The values of a match for rules that count no field (shared: never changed in place). */
const NO_VALUES: string[] = [];

/** State keys: a kind letter then JSON (no NUL characters, which PostgreSQL text refuses). */
const GROUP = 'g';
const CLOCK = 'w';

/**
 * Sliding-window correlation on event time, per (correlation rule, tenant, group-by values).
 * Each tenant has a watermark: its newest event time minus the allowed lateness. Records older than their window
 * but newer than the watermark still land in it (late and backfilled data correlate like live data); windows with
 * an upper-bound condition are decided, and groups dropped, once the watermark has passed them.
 * State is bounded by `maxGroups` groups of at most `maxEntriesPerGroup` matches.
 */
export class CorrelationEngine {
  readonly #rules: Map<string, CorrelationRule>;
  readonly #limits: CorrelationLimits;
  readonly #groups: TrackedMap<Group>;
  readonly #clocks: TrackedMap<TenantClock>;
  readonly #counters = { evictedGroups: 0, expiredGroups: 0, droppedEntries: 0, missingFieldSkips: 0 };
  /** Tenant id → its clock's state key (asked for on every event and every group swept). */
  readonly #clockKeys = new Map<string, string>();
  #lastTenant: string | undefined;
  #lastClockKey = '';
  #moved = false;

  constructor(rules: CorrelationRule[], limits: CorrelationLimits) {
    this.#rules = new Map(rules.map((r) => [r.id, r]));
    this.#limits = limits;
    this.#groups = new TrackedMap<Group>({
      max: limits.maxGroups,
      tenantOf: (g) => g.tenantId,
      copy: (g) => ({ ...g, entries: g.entries.slice() }),
      onEvict: () => {
        this.#counters.evictedGroups++;
        limits.onEvict?.();
      },
    });
    this.#clocks = new TrackedMap<TenantClock>({
      max: Math.max(10_000, limits.maxGroups),
      tenantOf: (c) => c.tenantId,
      copy: (c) => ({ ...c }),
    });
  }

  /** Moves the tenant's newest event time forward; returns the tenant's watermark. */
  observe(tenantId: string, time: number): number {
    const key = this.#clockKey(tenantId);
    const clock = this.#clocks.peek(key);
    if (!clock) this.#clocks.set(key, { tenantId, newest: time });
    else if (time > clock.newest) this.#clocks.edit(key)!.newest = time;
    else return this.watermark(tenantId);
    this.#moved = true;
    return this.watermark(tenantId);
  }

  watermark(tenantId: string): number {
    const newest = this.#clocks.peek(this.#clockKey(tenantId))?.newest;
    return newest === undefined ? Number.NEGATIVE_INFINITY : newest - this.#limits.allowedLatenessMs;
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
        this.#counters.missingFieldSkips++;
        return [];
      }
      groupBy[field] = value;
    }
    const values = rule.valueFields ? entryValues(rule, rule.valueFields, matchedKey, signal.event) : NO_VALUES;
    if (rule.valueFields && values.length === 0) {
      this.#counters.missingFieldSkips++;
      return [];
    }
    const key = GROUP + JSON.stringify([rule.id, signal.tenantId, ...rule.groupBy.map((f) => groupBy[f])]);
    let group = this.#groups.edit(key);
    if (!group) {
      group = { ruleId: rule.id, tenantId: signal.tenantId, tenantName: signal.tenantName, groupBy, entries: [] };
      this.#groups.set(key, group);
    }
    const changed = this.#place(group, { time: signal.time, ruleIndex, key: signal.key, eventIds: signal.eventIds, values });
    if (!changed) return [];
    const watermark = this.watermark(signal.tenantId);
    const firings: CorrelationFiring[] = [];
    if (firesEarly(rule)) {
      this.#trim(rule, group, watermark);
      firings.push(...this.#triggered(rule, group, changed));
    } else {
      firings.push(...this.#closeWindows(rule, group, watermark));
      this.#trim(rule, group, watermark);
    }
    if (group.entries.length === 0) this.#groups.delete(key);
    return firings;
  }

  /**
   * Adds the match to its group, in entry order. A match already there (same key and step) gains the events it did
   * not have (an inner correlation's firing raised again with a late event); returns undefined when nothing changed.
   */
  #place(group: Group, entry: Entry): Entry | undefined {
    const entries = group.entries;
    // The same match has the same time: only entries of that time are compared.
    let at = -1;
    for (let i = lowerBound(entries, entry.time); i < entries.length && entries[i]!.time === entry.time; i++)
      if (entries[i]!.key === entry.key && entries[i]!.ruleIndex === entry.ruleIndex) at = i;
    if (at < 0) {
      // A new group's array is made at its size: one pushed into an empty array reserves room for 16 more.
      if (entries.length === 0) group.entries = [entry];
      else insertSorted(entries, entry);
      return entry;
    }
    const known = entries[at]!;
    const added = entry.eventIds.filter((id) => !known.eventIds.includes(id));
    if (added.length === 0) return undefined;
    // Entries are replaced, never changed in place: the committed copy of the group shares them.
    const merged = { ...known, eventIds: [...known.eventIds, ...added] };
    entries[at] = merged;
    return merged;
  }

  /**
   * Lower-bound rules: a match fires when the window of the timespan ending at it satisfies the rule and it is one
   * of the matches that made it (for temporal_ordered: the last step of a sequence). A match arriving late can
   * complete the windows of later matches, and joins the firings of those that fired already (raised again, same
   * key, not counted twice). Whether and with which matches a match fires depends only on the matches of its
   * window, never on the order they arrived in.
   */
  #triggered(rule: CorrelationRule, group: Group, changed: Entry): CorrelationFiring[] {
    const entries = group.entries;
    const span = rule.timespanMs;
    const firings: CorrelationFiring[] = [];
    const end = upperBound(entries, changed.time + span);
    const fewest = fewestMatches(rule);
    for (let i = lowerBound(entries, changed.time); i < end; i++) {
      const trigger = entries[i]!;
      const from = lowerBound(entries, trigger.time - span);
      const to = upperBound(entries, trigger.time);
      if (to - from < fewest) continue;
      const chosen = windowFiring(rule, entries.slice(from, to));
      if (!chosen) continue;
      const used = chosen.map((c) => entries[c + from]!);
      if (
        !used.includes(trigger) ||
        (trigger.fired && !used.some((e) => e.key === changed.key && e.ruleIndex === changed.ruleIndex))
      )
        continue;
      const repeat = trigger.fired === true;
      if (!repeat) entries[i] = { ...trigger, fired: true };
      firings.push(this.#firing(rule, group, used, `${rule.id}>${trigger.key}`, repeat));
    }
    return firings;
  }

  /** True when a tenant's watermark moved since the last sweep. */
  watermarkMoved(): boolean {
    return this.#moved;
  }

  /** Decides the windows every tenant's watermark has passed and drops the groups it has left behind. */
  sweep(): CorrelationFiring[] {
    this.#moved = false;
    const firings: CorrelationFiring[] = [];
    for (const [key, peeked] of this.#groups.entries()) {
      const rule = this.#rules.get(peeked.ruleId);
      if (!rule) {
        this.#groups.delete(key);
        continue;
      }
      const watermark = this.watermark(peeked.tenantId);
      const newest = peeked.entries.at(-1)?.time ?? Number.NEGATIVE_INFINITY;
      const closable = !firesEarly(rule) && (peeked.entries[0]?.time ?? watermark) + rule.timespanMs < watermark;
      if (!closable && newest + rule.timespanMs >= watermark) continue;
      const group = this.#groups.edit(key)!;
      firings.push(...this.#closeWindows(rule, group, watermark));
      if (group.entries.length > 0 && newest + rule.timespanMs < watermark) {
        this.#counters.expiredGroups++;
        group.entries = [];
      }
      if (group.entries.length === 0) this.#groups.delete(key);
    }
    return firings;
  }

  stats(): CorrelationStats {
    return { groups: this.#groups.size, ...this.#counters };
  }

  /** Groups held (as `stats().groups`, without building the stats). */
  get size(): number {
    return this.#groups.size;
  }

  pendingState(): DetectionStateChanges {
    const groups = this.#groups.changes((g) => JSON.stringify(g));
    const clocks = this.#clocks.changes((c) => JSON.stringify(c));
    return { upserts: [...groups.upserts, ...clocks.upserts], deletes: [...groups.deletes, ...clocks.deletes] };
  }

  stateCommitted(): void {
    this.#groups.commit();
    this.#clocks.commit();
  }

  rollback(): void {
    this.#groups.rollback();
    this.#clocks.rollback();
  }

  forgetTenant(tenantId: string): void {
    this.#groups.forgetTenant(tenantId);
    this.#clocks.forgetTenant(tenantId);
    this.#clockKeys.delete(tenantId);
  }

  #clockKey(tenantId: string): string {
    if (tenantId === this.#lastTenant) return this.#lastClockKey;
    let key = this.#clockKeys.get(tenantId);
    if (key === undefined) {
      key = CLOCK + JSON.stringify(tenantId);
      this.#clockKeys.set(tenantId, key);
    }
    this.#lastTenant = tenantId;
    this.#lastClockKey = key;
    return key;
  }

  /** Loads state committed by an earlier run (rows of other kinds are ignored). */
  restore(rows: DetectionStateRow[]): void {
    this.#clocks.restore(
      rows.filter((r) => r.key.startsWith(CLOCK)),
      (row) => JSON.parse(row.value) as TenantClock,
    );
    this.#groups.restore(
      rows.filter((r) => r.key.startsWith(GROUP)),
      (row) => {
        const group = JSON.parse(row.value) as Group;
        return this.#rules.has(group.ruleId) ? group : undefined;
      },
    );
  }

  /** Drops matches too old to share a window with anything the watermark still admits, and keeps the entry cap. */
  #trim(rule: CorrelationRule, group: Group, watermark: number): void {
    const stale = lowerBound(group.entries, watermark - rule.timespanMs);
    const overflow = Math.max(0, group.entries.length - stale - this.#limits.maxEntriesPerGroup);
    const drop = stale + overflow;
    if (drop > 0) {
      group.entries.splice(0, drop);
      this.#counters.droppedEntries += drop;
    }
  }

  /**
   * Windows that ended before the watermark, for conditions decided at close: a window opens at the group's oldest
   * match and spans the timespan; its matches are then consumed, whether it fired or not.
   */
  #closeWindows(rule: CorrelationRule, group: Group, watermark: number): CorrelationFiring[] {
    if (firesEarly(rule)) return [];
    const firings: CorrelationFiring[] = [];
    const span = rule.timespanMs;
    while (group.entries.length > 0 && group.entries[0]!.time + span < watermark) {
      const end = lowerBound(group.entries, group.entries[0]!.time + span + 1);
      const chosen = windowFiring(rule, group.entries.slice(0, end));
      if (chosen) firings.push(this.#fire(rule, group, chosen));
      group.entries.splice(0, end);
    }
    return firings;
  }

  /** Emits the chosen entries of a closed window and removes them, so the same matches do not fire twice. */
  #fire(rule: CorrelationRule, group: Group, chosen: number[]): CorrelationFiring {
    const used = chosen.map((i) => group.entries[i]!);
    const drop = new Set(chosen);
    group.entries = group.entries.filter((_, i) => !drop.has(i));
    return this.#firing(rule, group, used, firingKey(rule.id, [...new Set(used.flatMap((e) => e.eventIds))]));
  }

  /**
   * A firing of `rule` made of `used`; its signal stands for the group (its group-by values), so a chained
   * correlation sees the same signal whichever event arrived last.
   */
  #firing(rule: CorrelationRule, group: Group, used: Entry[], key: string, repeat = false): CorrelationFiring {
    const eventIds = [...new Set(used.flatMap((e) => e.eventIds))];
    const time = Math.max(...used.map((e) => e.time));
    const signal: Signal = {
      ruleKeys: rule.name ? [rule.id, rule.name] : [rule.id],
      tenantId: group.tenantId,
      tenantName: group.tenantName,
      time,
      firstTime: Math.min(...used.map((e) => e.time)),
      key,
      eventIds,
      event: { id: '', tenantId: group.tenantId, time, ecs: { ...group.groupBy }, raw: {} },
      groupBy: group.groupBy,
      ...(repeat ? { repeat } : {}),
    };
    return { rule, signal };
  }
}

function firingKey(ruleId: string, eventIds: string[]): string {
  return `${ruleId}#${hash('sha256', [ruleId, ...[...eventIds].sort()].join('\n'), 'hex').slice(0, 24)}`;
}

function aliasField(rule: CorrelationRule, field: string, matchedKey: string): string {
  return rule.aliases[field]?.[matchedKey] ?? field;
}

function groupValue(rule: CorrelationRule, field: string, matchedKey: string, signal: Signal): string | undefined {
  const fromGroup = signal.groupBy?.[field];
  if (fromGroup !== undefined) return fromGroup;
  const actual = aliasField(rule, field, matchedKey);
  const values = distinctStrings(lookupRef(signal.event, fieldRef(actual)), actual);
  return values.length > 0 ? values.join(',') : undefined;
}

/** The value(s) an entry carries: one per value for a single field, one combination for a list of fields. */
function entryValues(rule: CorrelationRule, fields: string[], matchedKey: string, event: DetectableEvent): string[] {
  const perField = fields.map((f) => {
    const actual = aliasField(rule, f, matchedKey);
    return distinctStrings(lookupRef(event, fieldRef(actual)), actual);
  });
  if (perField.some((v) => v.length === 0)) return [];
  if (fields.length === 1) return perField[0]!;
  return [perField.map((v) => v.join(',')).join('\u0000')];
}

function distinctStrings(values: readonly unknown[], field: string): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (typeof v === 'string' ? v !== '' : typeof v === 'number' || typeof v === 'boolean')
      out.add(normalizeValue(field, String(v)));
  }
  return [...out];
}
