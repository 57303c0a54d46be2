import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeSchema } from './config.ts';
import { StoreQueryError } from './errors.ts';
import { pino } from 'pino';
import { openEventStore, type EventStore } from './event-store.ts';
import { scheduleRetention } from './retention-schedule.ts';
import { sampleAlert, sampleEvents, TENANTS } from './testing/sample-events.ts';

const NEWEST = Date.parse('2026-11-24T12:00:00Z');

function tempStore(overrides: Record<string, unknown> = {}): { store: EventStore; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'events.db');
  return { store: openEventStore(storeSchema.parse({ path, ...overrides })), path };
}

test('inserts are idempotent on id and every field is searchable', () => {
  const { store } = tempStore();
  const events = sampleEvents(120);
  assert.equal(store.insertEvents(events), 120);
  assert.equal(store.insertEvents(events.slice(0, 50)), 0);
  assert.equal(store.countEvents(), 120);

  const all = store.searchEvents({ limit: 500 });
  assert.equal(all.total, 120);
  assert.equal(all.events[0]?.time, NEWEST);

  const byTenant = store.searchEvents({ tenant: 'fabrikam', limit: 500 });
  assert.equal(byTenant.total, 60);
  assert.ok(byTenant.events.every((e) => e.tenantId === TENANTS[1].id));
  assert.equal(store.searchEvents({ tenant: TENANTS[1].id }).total, 60);

  const byUser = store.searchEvents({ user: 'MALLORY@contoso.com', limit: 500 });
  assert.ok(byUser.total > 0 && byUser.events.every((e) => e.user === 'mallory@contoso.com'));
  const byIp = store.searchEvents({ ip: '2001:db8::42', limit: 500 });
  assert.ok(byIp.total > 0 && byIp.events.every((e) => e.sourceIp === '2001:db8::42'));
  assert.equal(store.searchEvents({ action: 'new-inboxrule' }).total, 20);
  assert.equal(store.searchEvents({ workload: 'SharePoint' }).total, 20);
  assert.equal(store.searchEvents({ outcome: 'failure' }).total, 20);
  assert.equal(store.searchEvents({ contentType: 'Audit.Exchange' }).total, 40);
  assert.equal(store.searchEvents({ from: NEWEST - 9 * 60_000, to: NEWEST + 1 }).total, 10);
  assert.equal(
    store.searchEvents({ action: 'UserLoginFailed', tenant: 'contoso' }).total,
    0,
    'failed logins are all fabrikam (odd index)',
  );
  store.close();
});

test('full-text search: words, emails, IPs, prefixes, exclusions, phrases', () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(60));
  assert.equal(store.searchEvents({ text: 'drop@evil.example' }).total, 10, 'a value of the raw record');
  assert.equal(store.searchEvents({ text: 'forwarding' }).total, 10, 'a word of the description');
  assert.equal(store.searchEvents({ text: 'payroll' }).total, 10);
  assert.equal(store.searchEvents({ text: 'Q3-pay*' }).total, 10);
  assert.equal(store.searchEvents({ text: '"failed to log in"' }).total, 10);
  const ip = store.searchEvents({ text: '203.0.113.7' });
  assert.ok(ip.total > 0 && ip.events.every((e) => e.sourceIp === '203.0.113.7'));
  const noMallory = store.searchEvents({ text: 'contoso.com -mallory', limit: 500 });
  assert.ok(noMallory.total > 0 && noMallory.events.every((e) => e.user !== 'mallory@contoso.com'));
  assert.equal(
    store.searchEvents({ text: '( " * -' }).total,
    60,
    'operators and punctuation alone are ignored, not a syntax error',
  );
  assert.throws(
    () => store.searchEvents({ text: '-mallory' }),
    (err) => err instanceof StoreQueryError && err.field === 'q',
  );
  store.close();
});

test('keyset paging visits every matching event once, newest first', () => {
  const { store } = tempStore();
  // Many events share a timestamp: the cursor must still be exact.
  store.insertEvents(sampleEvents(95, NEWEST, 0).map((e, i) => ({ ...e, time: NEWEST - Math.floor(i / 10) * 1000 })));
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 20; guard++) {
    const page = store.searchEvents({ limit: 20, ...(cursor ? { cursor } : {}) });
    seen.push(...page.events.map((e) => e.id));
    for (let i = 1; i < page.events.length; i++) assert.ok(page.events[i - 1]!.time >= page.events[i]!.time);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  assert.equal(seen.length, 95);
  assert.equal(new Set(seen).size, 95);
  assert.throws(() => store.searchEvents({ cursor: 'garbage!' }), /cursor: is not a cursor/);
  assert.throws(() => store.searchEvents({ limit: 0 }), /limit: must be an integer between 1 and 500/);
  store.close();
});

test('an event keeps its ECS and raw documents and knows its alerts', () => {
  const { store } = tempStore();
  const events = sampleEvents(12);
  store.insertEvents(events);
  const inbox = events.filter((e) => e.raw.Operation === 'New-InboxRule');
  store.insertAlerts([sampleAlert(inbox)]);
  const stored = store.getEvent(inbox[0]!.id);
  assert.ok(stored);
  assert.deepEqual(stored.raw, inbox[0]!.raw);
  assert.deepEqual(stored.ecs, inbox[0]!.ecs);
  assert.equal(stored.action, 'New-InboxRule');
  assert.equal(stored.outcome, 'success');
  assert.deepEqual(stored.alertIds, [`alert-${inbox[0]!.id}`]);
  assert.equal(store.getEvent('nope'), undefined);
  store.close();
});

test('alerts: idempotent, filtered by level and tenant, linked to their events', () => {
  const { store } = tempStore();
  const events = sampleEvents(24);
  store.insertEvents(events);
  const contoso = events.filter((e) => e.tenantName === 'contoso');
  const high = sampleAlert(contoso.slice(0, 3));
  const low = sampleAlert([contoso[5]!], { id: 'low-1', level: 'low', title: 'Mailbox accessed by a service account' });
  const fab = events.filter((e) => e.tenantName === 'fabrikam');
  const critical = sampleAlert([fab[0]!, fab[1]!], {
    id: 'crit-1',
    level: 'critical',
    title: 'Global admin role granted',
    eventIds: [fab[0]!.id, fab[1]!.id, 'gone:1'],
  });
  assert.equal(store.insertAlerts([high, low, critical]), 3);
  assert.equal(store.insertAlerts([high]), 0);

  assert.deepEqual(
    store.listAlerts({}).alerts.map((a) => a.id),
    [high.id, critical.id, low.id].sort((a, b) => {
      const t = (id: string) => [high, low, critical].find((x) => x.id === id)!.time;
      return t(b) - t(a);
    }),
  );
  assert.deepEqual(
    store
      .listAlerts({ minLevel: 'high' })
      .alerts.map((a) => a.id)
      .sort(),
    [critical.id, high.id].sort(),
  );
  assert.deepEqual(
    store.listAlerts({ tenant: 'fabrikam' }).alerts.map((a) => a.id),
    ['crit-1'],
  );
  assert.deepEqual(
    store.listAlerts({ text: 'global ADMIN' }).alerts.map((a) => a.id),
    ['crit-1'],
  );
  assert.deepEqual(store.listAlerts({ text: '100%' }).alerts, []);

  const page1 = store.listAlerts({ limit: 2 });
  assert.equal(page1.alerts.length, 2);
  const page2 = store.listAlerts({ limit: 2, cursor: page1.nextCursor! });
  assert.equal(page2.alerts.length, 1);
  assert.equal(page2.nextCursor, undefined);

  const detail = store.getAlert('crit-1');
  assert.ok(detail);
  assert.equal(detail.alert.title, 'Global admin role granted');
  assert.deepEqual(detail.events.map((e) => e.id).sort(), [fab[0]!.id, fab[1]!.id].sort());
  assert.deepEqual(detail.missingEventIds, ['gone:1']);
  assert.ok(detail.events.every((e) => e.alerted));
  assert.deepEqual(
    store
      .searchEvents({ alertId: 'crit-1' })
      .events.map((e) => e.id)
      .sort(),
    [fab[0]!.id, fab[1]!.id].sort(),
  );
  assert.equal(store.searchEvents({ alerted: true }).total, 6);
  const listed = store.searchEvents({ limit: 500 }).events;
  assert.deepEqual(
    listed
      .filter((e) => e.alerted)
      .map((e) => e.id)
      .sort(),
    [...high.eventIds, ...low.eventIds, fab[0]!.id, fab[1]!.id].sort(),
  );
  assert.equal(store.getAlert('nope'), undefined);
  assert.throws(() => store.listAlerts({ minLevel: 'severe' as never }), /level: must be one of informational/);
  store.close();
});

test('histogram buckets count events and failures', () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(120));
  const hour = 3_600_000;
  const buckets = store.histogram({}, hour);
  assert.equal(
    buckets.reduce((n, b) => n + b.count, 0),
    120,
  );
  assert.equal(
    buckets.reduce((n, b) => n + b.failures, 0),
    20,
  );
  assert.ok(buckets.every((b) => b.start % hour === 0));
  assert.equal(
    store.histogram({ workload: 'Exchange' }, hour).reduce((n, b) => n + b.count, 0),
    40,
  );
  assert.throws(() => store.histogram({}, 10), /bucket: must be/);
  assert.deepEqual(store.timeBounds({ workload: 'SharePoint' }), { oldest: NEWEST - 117 * 60_000, newest: NEWEST - 3 * 60_000 });
  assert.equal(store.timeBounds({ user: 'nobody' }), undefined);
  store.close();
});

test('top values of a field', () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(60));
  const top = store.topValues({}, 'action', 3);
  assert.equal(top.length, 3);
  assert.ok(top.every((v) => v.count === 10));
  assert.deepEqual(store.topValues({ tenant: 'contoso' }, 'tenant'), [{ value: 'contoso', count: 30 }]);
  store.close();
});

test('per tenant × content type counters and events per minute', () => {
  const { store } = tempStore();
  const now = Date.parse('2026-11-24T12:30:00Z');
  const events = sampleEvents(60);
  store.insertEvents(events.slice(0, 30), now - 60_000);
  store.insertEvents(events.slice(30), now);
  store.insertEvents(events, now); // duplicates are not counted
  const stats = store.streamStats(now);
  const aad = stats.find((s) => s.tenantName === 'contoso' && s.contentType === 'Audit.AzureActiveDirectory');
  assert.ok(aad);
  const expected = events.filter((e) => e.tenantName === 'contoso' && e.contentType === 'Audit.AzureActiveDirectory');
  assert.equal(aad.eventsTotal, expected.length);
  assert.equal(aad.newestEventAt, Math.max(...expected.map((e) => e.time)));
  assert.equal(aad.lastInsertAt, now);
  assert.equal(aad.eventsPerMinute, expected.length / 5);
  assert.equal(store.eventsPerMinute(TENANTS[0].id, 'Audit.AzureActiveDirectory', now), expected.length / 5);
  assert.equal(store.eventsPerMinute(TENANTS[0].id, 'Audit.AzureActiveDirectory', now + 10 * 60_000), 0);
  store.close();
});

test('retention deletes by age and by count, keeping full-text in sync', () => {
  const { store } = tempStore({ retention: '1h', max_events: 1000 });
  const events = sampleEvents(120); // one per minute: 60 are older than 1h at NEWEST
  store.insertEvents(events);
  store.insertAlerts([sampleAlert([events[100]!], { id: 'old' }), sampleAlert([events[2]!], { id: 'new' })]);
  const result = store.applyRetention(NEWEST + 1);
  assert.equal(result.deletedEvents, 60);
  assert.equal(result.deletedAlerts, 1);
  assert.equal(store.countEvents(), 60);
  assert.equal(store.searchEvents({ text: 'contoso.com', limit: 500 }).total, 60, 'deleted events are gone from full-text too');
  assert.ok(store.searchEvents({ text: 'contoso.com', limit: 500 }).events.every((e) => e.time > NEWEST - 3_600_000));
  assert.deepEqual(
    store.listAlerts({}).alerts.map((a) => a.id),
    ['new'],
  );
  store.close();

  const capped = tempStore({ max_events: 1000 }).store;
  capped.insertEvents(sampleEvents(1500));
  assert.equal(capped.applyRetention(NEWEST).deletedEvents, 500);
  assert.equal(capped.countEvents(), 1000);
  const oldest = capped.searchEvents({ to: NEWEST - 999 * 60_000 });
  assert.equal(oldest.total, 0, 'the oldest were deleted');
  capped.close();
});

test('retention bounds the file size', () => {
  const { store, path } = tempStore({ max_size_mb: 2, max_events: 1_000_000 });
  const big = 'x'.repeat(2000);
  store.insertEvents(sampleEvents(3000).map((e) => ({ ...e, raw: { ...e.raw, Padding: big } })));
  const before = statSync(path).size;
  assert.ok(before > 4 * 1024 * 1024, `test data must exceed the cap (${before})`);
  const result = store.applyRetention(NEWEST);
  assert.ok(result.deletedEvents > 0);
  assert.ok(store.countEvents() < 3000);
  store.close();
  assert.ok(statSync(path).size <= 2.5 * 1024 * 1024, `file shrank to ${statSync(path).size}`);
});

test('the store survives a reopen', () => {
  const { store, path } = tempStore();
  store.insertEvents(sampleEvents(10));
  store.close();
  const again = openEventStore(storeSchema.parse({ path }));
  assert.equal(again.countEvents(), 10);
  assert.equal(again.insertEvents(sampleEvents(10)), 0);
  again.close();
  const notADir = join(path, '..', 'events.db-wal-not-a-dir');
  writeFileSync(notADir, '');
  assert.throws(
    () => openEventStore(storeSchema.parse({ path: join(notADir, 'events.db') })),
    /cannot open event store .*not-a-dir\/events\.db: E/,
  );
});

test('retention can be scheduled and stopped', async () => {
  const { store } = tempStore({ retention: '1d' });
  store.insertEvents(sampleEvents(5, Date.now() - 3 * 86_400_000));
  store.insertEvents(sampleEvents(3, Date.now()).map((e) => ({ ...e, id: `${e.id}-fresh` })));
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const stop = scheduleRetention(store, 60_000, logger);
  stop();
  assert.equal(store.countEvents(), 3, 'the first run happens at once');
  assert.match(lines.join(''), /"deletedEvents":5/);
  store.close();
});
