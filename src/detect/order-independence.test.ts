import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../core/alert.ts';
import type { AuditRecord } from '../core/audit-record.ts';
import type { DetectionStateRow } from '../core/detection-state.ts';
import { Rng } from '../emulator/rng.ts';
import { normalize } from '../normalize/index.ts';
import { detectionSchema } from './config.ts';
import type { Detector } from './detector.ts';
import { detectorFromConfig } from './from-config.ts';
import { fileOperation, signIn } from './test-support/o365-records.ts';
import type { DetectableEvent } from './types.ts';

function toEvent(raw: AuditRecord): DetectableEvent {
  const ecs = normalize(raw);
  return { id: `contoso:${raw.Id}`, tenantId: 'contoso', time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
}

/**
 * Bursts at irregular times that straddle the hour (the alert grouping window) and are longer than the correlations'
 * timespans, so that how a burst is cut into windows matters: brute forces with successes inside and after them, a
 * password spray, sign-ins from two IPs, a mass download, and ordinary sign-ins of other users.
 */
function scenario(): DetectableEvent[] {
  const rng = new Rng(13);
  const records: AuditRecord[] = [];
  const at = (from: number, to: number) => from + rng.next() * (to - from);
  for (let i = 0; i < 34; i++) records.push(signIn('UserLoginFailed', { user: 'alice@contoso.com', minute: at(35, 95) }));
  for (const minute of [48, 61, 97]) records.push(signIn('UserLoggedIn', { user: 'Alice@Contoso.com', minute }));
  for (let i = 0; i < 13; i++) records.push(signIn('UserLoginFailed', { user: 'bob@contoso.com', minute: at(50, 75) }));
  records.push(signIn('UserLoggedIn', { user: 'bob@contoso.com', minute: 76 }));
  for (let i = 0; i < 26; i++)
    records.push(signIn('UserLoginFailed', { user: `user${i % 13}@contoso.com`, ip: '203.0.113.50', minute: at(40, 80) }));
  for (let i = 0; i < 8; i++)
    records.push(signIn('UserLoggedIn', { user: 'carol@contoso.com', ip: `198.51.100.${20 + (i % 3)}`, minute: at(55, 66) }));
  for (let i = 0; i < 70; i++)
    records.push(fileOperation('FileDownloaded', { user: 'dave@contoso.com', file: `doc-${i}.docx`, minute: at(56, 66) }));
  // Lockouts count across the tenant (no group-by).
  for (let i = 0; i < 16; i++)
    records.push(signIn('UserLoginFailed', { user: `locked${i}@contoso.com`, logonError: 'IdsLocked', minute: at(57, 64) }));
  for (let i = 0; i < 40; i++) records.push(signIn('UserLoggedIn', { user: `staff${i}@contoso.com`, minute: at(0, 120) }));
  return records.map(toEvent);
}

/** What a person works with: the latest version of each alert (consumers upsert by id), by rule, entity, events, count. */
function finalAlerts(alerts: Alert[]): string[] {
  const latest = new Map<string, Alert>();
  for (const alert of alerts) latest.set(alert.id, alert);
  return [...latest.values()]
    .map((a) => JSON.stringify([a.ruleId, a.entity, [...a.eventIds].sort(), a.count, a.firstSeen, a.lastSeen]))
    .sort();
}

const newDetector = (config: Record<string, unknown>): Detector => detectorFromConfig(detectionSchema.parse(config)).detector;

/** Delivers the events in batches (a flush after each, as the app's timer does), committing state after each batch. */
function deliver(batches: DetectableEvent[][], restartAfter?: number, config: Record<string, unknown> = {}): Alert[] {
  const rows = new Map<string, DetectionStateRow>();
  let detector = newDetector(config);
  detector.restore([]);
  const alerts: Alert[] = [];
  batches.forEach((batch, b) => {
    for (const event of batch) alerts.push(...detector.process(event));
    alerts.push(...detector.flush());
    const changes = detector.pendingState();
    for (const row of changes.upserts) rows.set(row.key, row);
    for (const row of changes.deletes) rows.delete(row.key);
    detector.stateCommitted();
    if (b === restartAfter) {
      detector = newDetector(config);
      detector.restore([...rows.values()]);
    }
  });
  return alerts;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const rng = new Rng(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Cuts the events into batches of random sizes (1 to `max`). */
function batches<T>(items: T[], seed: number, max: number): T[][] {
  const rng = new Rng(seed);
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = rng.int(1, max);
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}

describe('alerts do not depend on arrival order, batch boundaries or restarts', () => {
  const events = scenario();
  const inTimeOrder = events.slice().sort((a, b) => a.time - b.time);
  const expected = finalAlerts(deliver([inTimeOrder]));

  it('the scenario raises the correlations it is made of', () => {
    const rules = new Set(expected.map((s) => (JSON.parse(s) as [string])[0]));
    assert.ok(rules.size >= 6, `rules that alerted: ${[...rules].join(', ')}`);
  });

  it('newest first', () => {
    assert.deepEqual(finalAlerts(deliver([inTimeOrder.slice().reverse()])), expected);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seeded shuffle ${seed}, cut into batches`, () => {
      assert.deepEqual(finalAlerts(deliver(batches(shuffled(events, seed), seed, 40))), expected);
    });
  }

  it('a restart in the middle of a shuffled delivery (state committed with each batch, then restored)', () => {
    const cut = batches(shuffled(events, 11), 11, 30);
    assert.deepEqual(finalAlerts(deliver(cut, Math.floor(cut.length / 2))), expected);
  });

  it('in time order, one event per batch, a restart after the eleventh', () => {
    const rows = inTimeOrder.map((e) => [e]);
    const alerts = deliver(rows, 10);
    assert.deepEqual(finalAlerts(alerts), expected);
  });

  it('with alert grouping off too (each firing its own alert, raised again under its id when a late match joins it)', () => {
    const off = { alert_grouping: 0 };
    const sorted = finalAlerts(deliver([inTimeOrder], undefined, off));
    assert.ok(sorted.length > expected.length);
    for (const seed of [6, 7]) {
      const cut = batches(shuffled(events, seed), seed, 40);
      assert.deepEqual(finalAlerts(deliver(cut, Math.floor(cut.length / 2), off)), sorted);
    }
  });
});
