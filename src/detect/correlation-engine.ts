import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DetectionStateChanges, DetectionStateRow } from '../core/detection-state.ts';
import {
  conditionHolds,
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
import { FiringSerial } from './firing-serial.ts';
import { decodeGroup, encodeGroup, type Group } from './group-state.ts';
import { TrackedMap } from './tracked-map.ts';
import type { CorrelationRule, DetectableEvent } from './types.ts';
import { countedItems, WindowCounts } from './window-counts.ts';

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
  /**
   * The events behind the signal. A correlation's firing builds the list when it is first read, from its group's
   * matches: read it while the firing is being delivered (before the group receives another match).
   */
  readonly eventIds: string[];
  /** The event behind the signal (for a correlation firing: the last one, or its group-by values), for field lookups. */
  event: DetectableEvent;
  /** Group values of a correlation signal: chained correlations group on them first. */
  groupBy?: Record<string, string>;
  /** A firing raised before, again with more events (a late match joined its window): not a new firing. */
  repeat?: boolean;
  /** A correlation's firing: its number (`FiringSerial`), in the order firings are raised. */
  serial?: number;
  /** A correlation's firing whose events are, apart from `delta.eventIds`, all in an earlier firing's. */
  delta?: FiringDelta;
}

/**
 * What a firing adds to an earlier one of the same correlation group (number `since`, event time `time`): every event
 * of the firing is in that firing's events (in all its versions) or in `eventIds`. For a repeat, the earlier firing
 * is the same one. Whoever received the earlier firing merges only `eventIds` and ends up with the same events.
 */
export interface FiringDelta {
  since: number;
  time: number;
  eventIds: string[];
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
  /**
   * Groups whose running window counts (a map of the items in the window) are kept between matches, the most recently
   * used; another group's count is rebuilt from its matches on its next match.
   */
  maxRunningCounts: number;
  /** Windows close, and groups expire, once the tenant's newest event time minus this has passed them (ms). */
  allowedLatenessMs: number;
  /** Called on each group evicted by `maxGroups` (metrics). */
  onEvict?: () => void;
}

/** A match placed in its group: the entry, and the events it brought that the group did not have. */
interface Placed {
  entry: Entry;
  added: string[];
}

/** How far back a new firing looks for an earlier one to be a delta of (beyond, its events are merged whole). */
const MAX_DELTA_SCAN = 16;

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
  /**
   * Running distinct counts over a window of a group's entries (by the entries array: a group whose array is replaced,
   * or a committed copy restored by a rollback, starts afresh). Derived from the entries, never persisted, and kept
   * only for the `maxRunningCounts` groups used last, so a tenant with a million groups does not hold a million of them.
   */
  readonly #counts: LRUCache<Entry[], WindowCounts>;
  readonly #serial: FiringSerial;
  /** Per rule, the keys its firings are referenced by (shared by all its signals, never changed). */
  readonly #ruleKeys = new Map<string, string[]>();

  constructor(rules: CorrelationRule[], limits: CorrelationLimits, serial = new FiringSerial()) {
    this.#rules = new Map(rules.map((r) => [r.id, r]));
    for (const r of rules) this.#ruleKeys.set(r.id, r.name ? [r.id, r.name] : [r.id]);
    this.#limits = limits;
    this.#counts = new LRUCache({ max: limits.maxRunningCounts });
    this.#serial = serial;
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
    const changed = this.#place(group, signal, ruleIndex, values);
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
   * not have (an inner correlation's firing raised again with a late event: only its delta need be compared);
   * returns undefined when nothing changed.
   */
  #place(group: Group, signal: Signal, ruleIndex: number, values: string[]): Placed | undefined {
    const entries = group.entries;
    // The same match has the same time: only entries of that time are compared.
    let at = -1;
    for (let i = lowerBound(entries, signal.time); i < entries.length && entries[i]!.time === signal.time; i++)
      if (entries[i]!.key === signal.key && entries[i]!.ruleIndex === ruleIndex) at = i;
    if (at < 0) {
      const entry: Entry = { time: signal.time, ruleIndex, key: signal.key, eventIds: signal.eventIds, values };
      // A new group's array is made at its size: one pushed into an empty array reserves room for 16 more.
      if (entries.length === 0) group.entries = [entry];
      else {
        const index = insertSorted(entries, entry);
        this.#counts.get(entries)?.inserted(entry, index);
      }
      return { entry, added: entry.eventIds };
    }
    const known = entries[at]!;
    const incoming = signal.repeat && signal.delta ? signal.delta.eventIds : signal.eventIds;
    const had = incoming.length > 8 ? new Set(known.eventIds) : known.eventIds;
    const added = incoming.filter((id) => !(Array.isArray(had) ? had.includes(id) : had.has(id)));
    if (added.length === 0) return undefined;
    // Entries are replaced, never changed in place: the committed copy of the group shares them.
    const merged = { ...known, eventIds: [...known.eventIds, ...added] };
    entries[at] = merged;
    return { entry: merged, added };
  }

  /**
   * Lower-bound rules: a match fires when the window of the timespan ending at it satisfies the rule and it is one
   * of the matches that made it (for temporal_ordered: the last step of a sequence). A match arriving late can
   * complete the windows of later matches, and joins the firings of those that fired already (raised again, same
   * key, not counted twice). Whether and with which matches a match fires depends only on the matches of its
   * window, never on the order they arrived in.
   * Counting rules keep a running count over the window (`WindowCounts`) moved from match to match, so a match in
   * time order costs the entries entering and leaving the window, and a late one the windows it joins, not a rescan of
   * each; their firings name what they add to an earlier firing (`FiringDelta`), and build their full list of events
   * only when it is read.
   */
  #triggered(rule: CorrelationRule, group: Group, placed: Placed): CorrelationFiring[] {
    const changed = placed.entry;
    const entries = group.entries;
    const span = rule.timespanMs;
    const end = upperBound(entries, changed.time + span);
    let i = lowerBound(entries, changed.time);
    if (i >= end) return [];
    // The trim may have dropped the match at once (older than the watermark admits): then it is in no window.
    let at = -1;
    for (let k = i; k < entries.length && entries[k]!.time === changed.time; k++) if (entries[k] === changed) at = k;
    const present = at >= 0;
    const counts = this.#countsOf(rule, entries);
    const everyMatch = rule.type !== 'temporal_ordered';
    const fewest = fewestMatches(rule);
    const holdsIn = (from: number, to: number): boolean => {
      if (to - from < fewest) return false;
      if (!counts) return true;
      counts.moveTo(entries, from, to);
      return everyMatch ? windowHolds(rule, counts.distinct) : counts.distinct === rule.rules.length;
    };
    // A late match joins the windows of the later matches up to a timespan after it. Lower bounds only: when their
    // union, from a timespan before the match, does not hold, none of them does (one count instead of one a window).
    if (end > upperBound(entries, changed.time) && !holdsIn(lowerBound(entries, changed.time - span), end)) {
      if (present) this.#joinedUnraised(entries, i, end);
      return [];
    }
    const firings: CorrelationFiring[] = [];
    while (i < end) {
      // Matches of the same time share their window [from, to).
      const time = entries[i]!.time;
      const from = lowerBound(entries, time - span);
      const to = upperBound(entries, time);
      if (present && everyMatch && counts && this.#stillHold(group, i, to, time - span)) {
        this.#fireWhole(rule, group, from, to, i, placed, firings);
        i = to;
        continue;
      }
      const holds = holdsIn(from, to);
      if (holds && everyMatch && counts) this.#fireWhole(rule, group, from, to, i, present ? placed : undefined, firings);
      else if (holds) this.#fireChosen(rule, group, from, to, i, present ? at : undefined, firings);
      else if (present) this.#joinedUnraised(entries, i, to);
      i = to;
    }
    return firings;
  }

  /**
   * Counting rules whose window [from, to) holds: every match of it is used. Each match of time `entries[first]` not
   * fired yet fires; each one fired already is raised again when the new match `placed` is in the window.
   */
  #fireWhole(
    rule: CorrelationRule,
    group: Group,
    from: number,
    to: number,
    first: number,
    placed: Placed | undefined,
    out: CorrelationFiring[],
  ): void {
    const entries = group.entries;
    for (let k = first; k < to; k++) {
      const trigger = entries[k]!;
      const key = `${rule.id}>${trigger.key}`;
      if (trigger.fired) {
        if (!placed) continue;
        const delta =
          trigger.firedAt === undefined ? undefined : { since: trigger.firedAt, time: trigger.time, eventIds: placed.added };
        out.push(this.#firing(rule, group, entries, from, to, key, this.#serial.take(), true, delta));
        continue;
      }
      const serial = this.#serial.take();
      entries[k] = { ...trigger, fired: true, firedAt: serial };
      out.push(this.#firing(rule, group, entries, from, to, key, serial, false, this.#deltaFrom(entries, from, to, k)));
    }
  }

  /**
   * Matches [first, to) that all fired (with every event of their window) when nothing has been dropped from their
   * window since, which opens at `opens`: their window still holds, no need to count it.
   */
  #stillHold(group: Group, first: number, to: number, opens: number): boolean {
    if (group.droppedUntil !== undefined && group.droppedUntil >= opens) return false;
    for (let k = first; k < to; k++) if (group.entries[k]!.firedAt === undefined) return false;
    return true;
  }

  /**
   * A new firing of `entries[k]`, window [from, to): the nearest earlier match that fired (and whose firing has every
   * event of its window) covers this window up to its own time; the events of the matches after it are the delta.
   */
  #deltaFrom(entries: Entry[], from: number, to: number, k: number): FiringDelta | undefined {
    for (let j = k - 1; j >= from && j >= k - MAX_DELTA_SCAN; j--) {
      const basis = entries[j]!;
      if (!basis.fired) continue;
      if (basis.firedAt === undefined) return undefined;
      const eventIds: string[] = [];
      for (let n = Math.max(from, upperBound(entries, basis.time)); n < to; n++) eventIds.push(...entries[n]!.eventIds);
      return { since: basis.firedAt, time: basis.time, eventIds };
    }
    return undefined;
  }

  /**
   * temporal_ordered (whose matches are chosen) and sums (no running count): the window is tested whole. The matches
   * of time `entries[first]` fire as before this change (the new match, at `changedAt`): when they are among the
   * chosen ones.
   */
  #fireChosen(
    rule: CorrelationRule,
    group: Group,
    from: number,
    to: number,
    first: number,
    changedAt: number | undefined,
    out: CorrelationFiring[],
  ): void {
    const entries = group.entries;
    const chosen = windowFiring(rule, entries, from, to);
    if (!chosen) {
      if (changedAt !== undefined) this.#joinedUnraised(entries, first, to);
      return;
    }
    // Ascending, and the matches of time `entries[first]` are the window's last: searched from the end.
    const isChosen = (index: number): boolean => chosen.lastIndexOf(index) >= 0;
    const changedChosen = changedAt !== undefined && isChosen(changedAt);
    let used: Entry[] | undefined;
    for (let k = first; k < to; k++) {
      const trigger = entries[k]!;
      if (!isChosen(k) || (trigger.fired && !changedChosen)) continue;
      const repeat = trigger.fired === true;
      // No firedAt: chosen matches may grow by more than the new one, so firings here are always merged whole.
      if (!repeat) entries[k] = { ...trigger, fired: true };
      used ??= chosen.map((c) => entries[c]!);
      out.push(this.#firing(rule, group, used, 0, used.length, `${rule.id}>${trigger.key}`, this.#serial.take(), repeat));
    }
  }

  /**
   * A match joined the windows of the matches [first, to) without raising them (their window does not hold: it had
   * lost matches to the entry cap): their firings no longer have every event of their window.
   */
  #joinedUnraised(entries: Entry[], first: number, to: number): void {
    for (let k = first; k < to; k++) {
      if (entries[k]!.firedAt === undefined) continue;
      const { firedAt: _, ...rest } = entries[k]!;
      entries[k] = rest;
    }
  }

  /** The running counts of a counting rule over the group's entries (made, empty, on first use). */
  #countsOf(rule: CorrelationRule, entries: Entry[]): WindowCounts | undefined {
    let counts = this.#counts.get(entries);
    if (!counts) {
      const items = countedItems(rule);
      if (!items) return undefined;
      counts = new WindowCounts(items);
      this.#counts.set(entries, counts);
    }
    return counts;
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
    const groups = this.#groups.changes(encodeGroup);
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
        const group = decodeGroup(row.value);
        for (const entry of group.entries) this.#serial.atLeast(entry.firedAt);
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
      group.droppedUntil = Math.max(group.droppedUntil ?? Number.NEGATIVE_INFINITY, group.entries[drop - 1]!.time);
      this.#counts.get(group.entries)?.removedFirst(group.entries, drop);
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
      const chosen = windowFiring(rule, group.entries, 0, end);
      if (chosen) firings.push(this.#fire(rule, group, chosen));
      this.#counts.delete(group.entries);
      group.entries.splice(0, end);
    }
    return firings;
  }

  /** Emits the chosen entries of a closed window and removes them, so the same matches do not fire twice. */
  #fire(rule: CorrelationRule, group: Group, chosen: number[]): CorrelationFiring {
    const used = chosen.map((i) => group.entries[i]!);
    const drop = new Set(chosen);
    group.entries = group.entries.filter((_, i) => !drop.has(i));
    const key = firingKey(rule.id, [...new Set(used.flatMap((e) => e.eventIds))]);
    return this.#firing(rule, group, used, 0, used.length, key, this.#serial.take());
  }

  /**
   * A firing of `rule` made of the entries [from, to) of `list` (sorted by time); its signal stands for the group (its
   * group-by values), so a chained correlation sees the same signal whichever event arrived last. Its events are
   * listed when first read (`list` must not change before: it is the group's own array for counting rules).
   */
  #firing(
    rule: CorrelationRule,
    group: Group,
    list: Entry[],
    from: number,
    to: number,
    key: string,
    serial: number,
    repeat = false,
    delta?: FiringDelta,
  ): CorrelationFiring {
    const time = list[to - 1]!.time;
    let eventIds: string[] | undefined;
    const signal: Signal = {
      ruleKeys: this.#ruleKeys.get(rule.id)!,
      tenantId: group.tenantId,
      tenantName: group.tenantName,
      time,
      firstTime: list[from]!.time,
      key,
      get eventIds() {
        eventIds ??= eventIdsOf(list, from, to);
        return eventIds;
      },
      event: { id: '', tenantId: group.tenantId, time, ecs: { ...group.groupBy }, raw: {} },
      groupBy: group.groupBy,
      serial,
      ...(repeat ? { repeat } : {}),
      ...(delta ? { delta } : {}),
    };
    return { rule, signal };
  }
}

/** Distinct events of the entries [from, to) (a set only when entries could share one). */
function eventIdsOf(list: Entry[], from: number, to: number): string[] {
  let single = true;
  for (let i = from; i < to && single; i++) single = list[i]!.eventIds.length === 1 && list[i]!.key === list[i]!.eventIds[0];
  if (single) {
    // One event per entry, counted by its id: entries of different events, or of one event matched by two rules.
    const out = new Array<string>(to - from);
    for (let i = from; i < to; i++) out[i - from] = list[i]!.key;
    return to - from > 1 && hasRepeats(list, from, to) ? [...new Set(out)] : out;
  }
  const out = new Set<string>();
  for (let i = from; i < to; i++) for (const id of list[i]!.eventIds) out.add(id);
  return [...out];
}

/** Does a key appear twice among the entries [from, to)? (Only entries of one time and two steps can share one.) */
function hasRepeats(list: Entry[], from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) {
    for (let j = i - 1; j >= from && list[j]!.time === list[i]!.time; j--) if (list[j]!.key === list[i]!.key) return true;
  }
  return false;
}

/** Lower-bound counting rules: does a window with `distinct` distinct items satisfy the rule? */
function windowHolds(rule: CorrelationRule, distinct: number): boolean {
  if (rule.type === 'temporal' && !rule.condition) return distinct === rule.rules.length;
  return conditionHolds(rule.condition!, distinct);
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
