import { hash } from 'node:crypto';
import type { Alert, AlertEntity } from '../core/alert.ts';
import type { DetectionStateChanges, DetectionStateRow } from '../core/detection-state.ts';
import { attackTechniques, MAX_ALERT_EVENT_IDS } from './alert-fields.ts';
import type { FiringDelta } from './correlation-engine.ts';
import { FiringSerial } from './firing-serial.ts';
import { TrackedMap } from './tracked-map.ts';
import type { RuleMeta } from './types.ts';

export interface Firing {
  rule: RuleMeta;
  tenantId: string;
  tenantName?: string | undefined;
  /** Event time of the last event that made the rule fire. */
  time: number;
  readonly eventIds: string[];
  groupBy?: Record<string, string> | undefined;
  entity?: AlertEntity | undefined;
  /** The same firing raised again with more events (a late match joined it): its events are added, not counted. */
  repeat?: boolean | undefined;
  /** A correlation's firing: what identifies it (stable when raised again with more events). */
  key?: string | undefined;
  /** A correlation's firing: its number (`FiringSerial`). */
  serial?: number | undefined;
  /** A correlation's firing: what it adds to an earlier firing's events (see `FiringDelta`). */
  delta?: FiringDelta | undefined;
}

interface AlertGroup {
  tenantId: string;
  /** Start of the grouping window (epoch ms). */
  start: number;
  id: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  createdAt: number;
  eventIds: string[];
  /**
   * Number of the firing that created the group: a firing numbered from it on was merged into it, so a delta of
   * one of those firings is all that is new. Absent in state written before it existed (deltas are then not used).
   */
  bornAt?: number;
}

const PREFIX = 'a';

/**
 * Turns firings into alerts, one per (rule, tenant, entity, grouping window): repeated firings of a rule on one
 * entity within the window (fixed windows of event time, so any arrival order gives the same alert) raise the same
 * alert again with a higher `count`, the new events added; a firing raised again with more events (`repeat`) adds
 * them without counting. A correlation without group-by groups on its tenant. Without an entity, or with `windowMs`
 * 0, every firing is its own alert, identified by the correlation's firing key or by its events. Alert ids depend
 * only on rule, tenant, entity and window, or on the firing: replays give the same ids.
 */
export class AlertGrouper {
  readonly #windowMs: number;
  readonly #groups: TrackedMap<AlertGroup>;
  readonly #serial: FiringSerial;

  constructor(windowMs: number, maxGroups: number, onEvict?: () => void, serial = new FiringSerial()) {
    this.#windowMs = windowMs;
    this.#serial = serial;
    this.#groups = new TrackedMap<AlertGroup>({
      max: maxGroups,
      tenantOf: (g) => g.tenantId,
      copy: (g) => ({ ...g, eventIds: g.eventIds.slice() }),
      ...(onEvict ? { onEvict } : {}),
    });
  }

  alert(firing: Firing, createdAt: number): Alert {
    // A correlation without group-by counts across the tenant: its firings group on the tenant.
    const entity = firing.entity
      ? `${firing.entity.kind}:${firing.entity.value.toLowerCase()}`
      : firing.groupBy && Object.keys(firing.groupBy).length === 0
        ? 'tenant'
        : undefined;
    if (entity === undefined || this.#windowMs <= 0) {
      const ids = sortedUnique(firing.eventIds).slice(0, MAX_ALERT_EVENT_IDS);
      const id = hashOf([firing.rule.id, ...(firing.key !== undefined ? [firing.tenantId, firing.key] : ids)]);
      return toAlert(firing, { id, count: 1, firstSeen: firing.time, createdAt }, ids);
    }
    const start = Math.floor(firing.time / this.#windowMs) * this.#windowMs;
    const key = PREFIX + JSON.stringify([firing.rule.id, firing.tenantId, entity, start]);
    let group = this.#groups.edit(key);
    if (!group) {
      group = {
        tenantId: firing.tenantId,
        start,
        id: hashOf([firing.rule.id, firing.tenantId, entity, String(start)]),
        count: 0,
        firstSeen: firing.time,
        lastSeen: firing.time,
        createdAt,
        eventIds: [],
        bornAt: firing.serial ?? this.#serial.take(),
      };
      this.#groups.set(key, group);
    }
    if (!firing.repeat || group.count === 0) group.count++;
    group.firstSeen = Math.min(group.firstSeen, firing.time);
    group.lastSeen = Math.max(group.lastSeen, firing.time);
    // The earlier firing the delta extends was merged here when this group was there to receive it, in this window.
    const delta = firing.delta;
    const extends_ =
      delta !== undefined &&
      group.bornAt !== undefined &&
      group.bornAt <= delta.since &&
      Math.floor(delta.time / this.#windowMs) * this.#windowMs === start;
    group.eventIds = mergeSorted(group.eventIds, extends_ ? delta.eventIds : firing.eventIds);
    return toAlert(firing, group, group.eventIds, group.lastSeen);
  }

  /** Forgets groups whose window the tenant's watermark has passed. */
  sweep(watermark: (tenantId: string) => number): void {
    for (const [key, group] of this.#groups.entries()) {
      if (group.start + this.#windowMs < watermark(group.tenantId)) this.#groups.delete(key);
    }
  }

  get size(): number {
    return this.#groups.size;
  }

  pendingState(): DetectionStateChanges {
    return this.#groups.changes((g) => JSON.stringify(g));
  }

  stateCommitted(): void {
    this.#groups.commit();
  }

  rollback(): void {
    this.#groups.rollback();
  }

  forgetTenant(tenantId: string): void {
    this.#groups.forgetTenant(tenantId);
  }

  restore(rows: DetectionStateRow[]): void {
    this.#groups.restore(
      rows.filter((r) => r.key.startsWith(PREFIX)),
      (row) => {
        const group = JSON.parse(row.value) as AlertGroup;
        this.#serial.atLeast(group.bornAt);
        return group;
      },
    );
  }
}

/**
 * The sorted union of the sorted list `current` and the ids `added` (any order, repeats allowed): the
 * MAX_ALERT_EVENT_IDS smallest, so which ids are kept does not depend on the order they came in. `current` itself
 * when nothing is new (alerts already raised keep the array they were given: it is never changed in place). Only
 * the new ids are sorted (a firing raised again mostly brings ids the alert has). The result is allocated at its
 * exact length: a grouped alert lives for its whole window, and arrays grown by push keep spare capacity.
 */
function mergeSorted(current: string[], added: string[]): string[] {
  const full = current.length >= MAX_ALERT_EVENT_IDS;
  const fresh = sortedUnique(added.filter((id) => !hasSorted(current, id) && (!full || id < current[MAX_ALERT_EVENT_IDS - 1]!)));
  if (fresh.length === 0) return current;
  const length = Math.min(current.length + fresh.length, MAX_ALERT_EVENT_IDS);
  const out = new Array<string>(length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < length; k++)
    out[k] = j >= fresh.length || (i < current.length && current[i]! < fresh[j]!) ? current[i++]! : fresh[j++]!;
  return out;
}

function sortedUnique(ids: string[]): string[] {
  return ids.length <= 1 ? ids.slice() : [...new Set(ids)].sort();
}

function hasSorted(list: string[], id: string): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return list[lo] === id;
}

/** Per rule, its ATT&CK techniques (from its tags). */
const techniques = new WeakMap<RuleMeta, string[]>();

function attackOf(rule: RuleMeta): string[] {
  let attack = techniques.get(rule);
  if (!attack) {
    attack = attackTechniques(rule.tags);
    techniques.set(rule, attack);
  }
  return attack;
}

function toAlert(
  firing: Firing,
  group: { id: string; count: number; firstSeen: number; createdAt: number; lastSeen?: number },
  eventIds: string[],
  time = firing.time,
): Alert {
  const { rule } = firing;
  const alert: Alert = {
    id: group.id,
    ruleId: rule.id,
    title: rule.title,
    level: rule.level,
    tags: rule.tags,
    attack: attackOf(rule),
    tenantId: firing.tenantId,
    time,
    createdAt: group.createdAt,
    eventIds,
    count: group.count,
    firstSeen: group.firstSeen,
    lastSeen: group.lastSeen ?? firing.time,
  };
  if (rule.description) alert.description = rule.description;
  if (rule.author) alert.author = rule.author;
  if (firing.tenantName) alert.tenantName = firing.tenantName;
  if (firing.groupBy) alert.groupBy = firing.groupBy;
  if (firing.entity) alert.entity = firing.entity;
  return alert;
}

/** The first 128 bits of the SHA-256 of the parts joined by newlines, in hex (a flat string: no slice of the digest). */
function hashOf(parts: string[]): string {
  return hash('sha256', parts.join('\n'), 'buffer').toString('hex', 0, 16);
}
