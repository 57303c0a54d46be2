import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../core/alert.ts';
import type { DetectionStateRow } from '../core/detection-state.ts';
import { Rng } from '../emulator/rng.ts';
import { createDetector, type Detector } from './detector.ts';
import { decodeGroup } from './group-state.ts';
import { makeEvent, ruleFromYaml } from './test-support/events.ts';
import type { CorrelationRule, DetectableEvent, LoadedRule } from './types.ts';

// The engine counts windows incrementally and merges only what a firing adds to an earlier one. This test compares it,
// on random scenarios delivered in random orders, batches and restarts, with a recomputation from scratch written
// here: every match fires when the window of the timespan ending at it (ties included) satisfies the rule; a grouped
// alert is one per (rule, group, hour of event time), counting its firings and listing the events of their windows.

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2024, 0, 1, 11, 40);

const bases = [
  ruleFromYaml(`
title: Failed
id: failed
name: failed
logsource: {product: m365}
detection: {sel: {event.action: UserLoginFailed}, condition: sel}
`),
  ruleFromYaml(`
title: Succeeded
id: ok
name: ok
logsource: {product: m365}
detection: {sel: {event.action: UserLoggedIn}, condition: sel}
`),
];
const correlations = [
  `{type: event_count, rules: [failed], group-by: [user.name], timespan: 10m, condition: {gte: 3}}`,
  `{type: event_count, rules: [failed, ok], group-by: [user.name], timespan: 5m, condition: {gt: 3}}`,
  `{type: value_count, rules: [failed, ok], group-by: [user.name], timespan: 15m, condition: {gte: 2, field: source.ip}}`,
  `{type: temporal, rules: [failed, ok], group-by: [source.ip], timespan: 7m}`,
  `{type: event_count, rules: [failed], timespan: 3m, condition: {gte: 4}}`,
].map((c, i) => ruleFromYaml(`title: C${i}\nid: c${i}\ncorrelation: ${c}\n`) as CorrelationRule);
const rules: LoadedRule[] = [...bases, ...correlations];

function scenario(rng: Rng, n: number): DetectableEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const action = rng.next() < 0.7 ? 'UserLoginFailed' : 'UserLoggedIn';
    // Whole minutes over 2 hours: ties, windows across the hour, bursts longer than the timespans.
    const time = T0 + rng.int(0, 120) * MIN;
    return makeEvent(
      { event: { action }, user: { name: `u${rng.int(0, 2)}` }, source: { ip: `192.0.2.${rng.int(1, 4)}` } },
      {},
      { id: `t1:e${String(i).padStart(3, '0')}`, time },
    );
  });
}

/** Final alerts by the definition above, as the summary `finalAlerts` makes of the engine's. */
function reference(events: DetectableEvent[], grouping: boolean): string[] {
  const out: string[] = [];
  for (const rule of correlations) {
    const groups = new Map<string, { time: number; step: number; id: string; value: string }[]>();
    for (const e of events) {
      const step = rule.rules.findIndex(
        (r) => (r === 'failed') === (e.ecs.event as { action: string }).action.endsWith('Failed'),
      );
      if (step < 0) continue;
      const groupBy = JSON.stringify(Object.fromEntries(rule.groupBy.map((f) => [f, fieldValue(e, f)])));
      const list = groups.get(groupBy) ?? [];
      list.push({ time: e.time, step, id: e.id, value: fieldValue(e, 'source.ip') });
      groups.set(groupBy, list);
    }
    for (const [groupBy, entries] of groups) {
      const alerts = new Map<number, { count: number; ids: Set<string>; first: number; last: number }>();
      for (const trigger of entries) {
        const window = entries.filter((e) => e.time >= trigger.time - rule.timespanMs && e.time <= trigger.time);
        const distinct = new Set(
          window.map((e) => (rule.type === 'event_count' ? e.id : rule.type === 'value_count' ? e.value : e.step)),
        ).size;
        const c = rule.condition;
        const holds = c ? (c.gte === undefined || distinct >= c.gte) && (c.gt === undefined || distinct > c.gt) : distinct === 2;
        if (!holds) continue;
        const bucket = grouping ? Math.floor(trigger.time / HOUR) : out.length + alerts.size;
        const alert = alerts.get(bucket) ?? { count: 0, ids: new Set<string>(), first: trigger.time, last: trigger.time };
        alert.count++;
        for (const e of window) alert.ids.add(e.id);
        alert.first = Math.min(alert.first, trigger.time);
        alert.last = Math.max(alert.last, trigger.time);
        alerts.set(bucket, alert);
      }
      for (const a of alerts.values()) out.push(JSON.stringify([rule.id, groupBy, [...a.ids].sort(), a.count, a.first, a.last]));
    }
  }
  return out.sort();
}

function fieldValue(event: DetectableEvent, field: string): string {
  const [a, b] = field.split('.') as [string, string];
  return (event.ecs[a] as Record<string, string>)[b]!;
}

/** The latest version of each alert (consumers upsert by id). */
function finalAlerts(alerts: Alert[]): string[] {
  const latest = new Map<string, Alert>();
  for (const alert of alerts) latest.set(alert.id, alert);
  return [...latest.values()]
    .map((a) => JSON.stringify([a.ruleId, JSON.stringify(a.groupBy), [...a.eventIds].sort(), a.count, a.firstSeen, a.lastSeen]))
    .sort();
}

/**
 * Delivers the events shuffled, in random batches (a flush and a commit after each), restarting from the committed
 * state once; with `oldRows`, the state is restored as written before firings were numbered (those fields removed).
 */
function deliver(events: DetectableEvent[], rng: Rng, grouping: boolean, oldRows: boolean, maxRunningCounts?: number): Alert[] {
  const order = events.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const make = (): Detector =>
    createDetector({ rules, alertGroupingMs: grouping ? HOUR : 0, ...(maxRunningCounts ? { maxRunningCounts } : {}) });
  const rows = new Map<string, DetectionStateRow>();
  let detector = make();
  detector.restore([]);
  const restartAt = rng.int(0, order.length);
  const alerts: Alert[] = [];
  for (let i = 0; i < order.length; ) {
    const size = rng.int(1, 12);
    for (const event of order.slice(i, i + size)) alerts.push(...detector.process(event));
    alerts.push(...detector.flush());
    const changes = detector.pendingState();
    for (const row of changes.upserts) rows.set(row.key, row);
    for (const row of changes.deletes) rows.delete(row.key);
    detector.stateCommitted();
    if (i <= restartAt && restartAt < i + size) {
      detector = make();
      detector.restore([...rows.values()].map((r) => (oldRows ? { ...r, value: withoutSerials(r) } : r)));
    }
    i += size;
  }
  return alerts;
}

/** A row as written before firings were numbered: a correlation group was then its JSON object, with no serials. */
function withoutSerials(row: DetectionStateRow): string {
  const value = row.key.startsWith('g') ? decodeGroup(row.value) : JSON.parse(row.value);
  return JSON.stringify(value, (key, value) =>
    key === 'firedAt' || key === 'bornAt' || key === 'droppedUntil' ? undefined : value,
  );
}

describe('incremental correlation windows give the alerts of a recomputation from scratch', () => {
  it('the scenarios make every rule fire', () => {
    const fired = new Set<string>();
    for (let seed = 1; seed <= 6; seed++)
      for (const s of reference(scenario(new Rng(seed), 80), true)) fired.add((JSON.parse(s) as [string])[0]);
    assert.deepEqual([...fired].sort(), correlations.map((c) => c.id).sort());
  });

  for (let seed = 1; seed <= 24; seed++) {
    const grouping = seed % 3 !== 0;
    const oldRows = seed % 4 === 0;
    // Every fifth seed keeps one group's running count at a time: the others are rebuilt on each match.
    const maxRunningCounts = seed % 5 === 0 ? 1 : undefined;
    it(`seed ${seed}: random order, batches and a restart${grouping ? '' : ', alert grouping off'}${oldRows ? ', state rows of before' : ''}${maxRunningCounts ? ', one running count kept' : ''}`, () => {
      const rng = new Rng(seed);
      const events = scenario(rng, rng.int(30, 120));
      assert.deepEqual(finalAlerts(deliver(events, rng, grouping, oldRows, maxRunningCounts)), reference(events, grouping));
    });
  }
});
