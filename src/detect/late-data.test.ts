import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Alert } from '../core/alert.ts';
import type { AuditRecord } from '../core/audit-record.ts';
import { normalize } from '../normalize/index.ts';
import { detectionSchema } from './config.ts';
import { detectorFromConfig } from './from-config.ts';
import { signIn } from './test-support/o365-records.ts';
import type { DetectableEvent } from './types.ts';

const BRUTE_FORCE = 'Brute Force Against A User Account';
const FOLLOWED = 'Brute Force Followed By A Successful Sign-In';

function toEvent(raw: AuditRecord): DetectableEvent {
  const ecs = normalize(raw);
  return { id: `contoso:${raw.Id}`, tenantId: 'contoso', time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
}

/** Delivers blobs one after the other through the bundled rules, running the app's periodic flush between blobs. */
function deliver(blobs: AuditRecord[][], config: Record<string, unknown> = {}): Alert[] {
  const { detector } = detectorFromConfig(detectionSchema.parse(config));
  const alerts: Alert[] = [];
  for (const blob of blobs) {
    for (const record of blob) alerts.push(...detector.process(toEvent(record)));
    alerts.push(...detector.flush());
  }
  return alerts;
}

/** Live sign-ins of other users, 3 hours after the brute force: they move the tenant's newest event time on. */
const live = () => [0, 1, 2].map((i) => signIn('UserLoggedIn', { user: `live${i}@contoso.com`, minute: 180 + i }));
const failures = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => signIn('UserLoginFailed', { user: 'alice@contoso.com', minute: from + i }));

/** What identifies an alert for a person: rule, entity, events, count. */
const summary = (alerts: Alert[]) =>
  alerts.map((a) => JSON.stringify([a.id, a.title, a.entity, [...a.eventIds].sort(), a.count, a.firstSeen, a.lastSeen])).sort();

describe('late and backfilled data', () => {
  it('a brute force delivered in two blobs 3 h late raises the alert (periodic flushes drop nothing)', () => {
    const alerts = deliver([live(), failures(0, 5), live(), failures(5, 5)]);
    const brute = alerts.filter((a) => a.title === BRUTE_FORCE);
    assert.equal(brute.length, 1);
    assert.equal(brute[0]!.eventIds.length, 10);
    assert.deepEqual(brute[0]!.entity, { kind: 'user', value: 'alice@contoso.com' });
  });

  it('beyond the allowed lateness the first half has expired (the bound is the configuration)', () => {
    const alerts = deliver([live(), failures(0, 5), live(), failures(5, 5)], { allowed_lateness: '1h' });
    assert.deepEqual(
      alerts.filter((a) => a.title === BRUTE_FORCE),
      [],
    );
  });

  it('gives the same alerts whatever the arrival order of the blobs', () => {
    const blobs = [
      failures(0, 4),
      failures(4, 6),
      [signIn('UserLoggedIn', { user: 'alice@contoso.com', minute: 20 })],
      [signIn('UserLoggedIn', { user: 'alice@contoso.com', minute: 2 })],
      live(),
    ];
    const orders = permutations(blobs.map((_, i) => i));
    const expected = summary(deliver(blobs));
    assert.ok(expected.some((s) => s.includes(FOLLOWED)));
    assert.ok(expected.some((s) => s.includes(BRUTE_FORCE)));
    for (const order of orders) assert.deepEqual(summary(deliver(order.map((i) => blobs[i]!))), expected, `order ${order}`);
  });
});

function permutations(items: number[]): number[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}
