import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { storeSchema } from './config.ts';
import { QuerySyntaxError } from '../query/index.ts';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { QueryCancelledError } from './query-pool.ts';
import { openEventStore, type SqliteEventStore } from './event-store.ts';
import { createEventReads, FULL_TEXT_COUNT_LIMIT } from './event-reads.ts';
import { scheduleRetention } from './retention-schedule.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { eventIdKey } from './event-id-key.ts';
import { sampleAlert, sampleEvents, TENANTS } from './testing/sample-events.ts';

const NEWEST = Date.parse('2026-11-24T12:00:00Z');

function tempStore(overrides: Record<string, unknown> = {}): { store: SqliteEventStore; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'store-')), 'events.db');
  return { store: openEventStore(storeSchema.parse({ path, ...overrides })), path };
}

// The filters of the page, paging and full text are in the contract both stores pass (event-store-contract.test.ts);
// these tests cover what only the SQLite store has: insert counts, per-minute counts, the format, the query workers.
test('inserts report how many events were new; a bare time range is counted from the per-minute counts', async () => {
  const { store } = tempStore();
  const events = sampleEvents(120);
  assert.equal(store.insertEvents(events), 120);
  assert.equal(store.insertEvents(events.slice(0, 50)), 0);
  assert.equal(store.countEvents(), 120);
  assert.equal((await store.searchEvents({ from: NEWEST - 9 * 60_000, to: NEWEST + 1 })).total, 10);
  // Whole minutes from the per-minute counts, the partial end minutes from the index.
  assert.equal((await store.searchEvents({ from: NEWEST - 9 * 60_000 + 30_000, to: NEWEST })).total, 8);
  assert.equal((await store.searchEvents({ from: NEWEST - 1, to: NEWEST + 1 })).total, 1);
  await store.close();
});

test('full-text search: words, emails, IPs, prefixes, exclusions, phrases', async () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(60));
  assert.equal((await store.searchEvents({ q: 'drop@evil.example' })).total, 10, 'a value of the raw record');
  assert.equal((await store.searchEvents({ q: 'forwarding' })).total, 10, 'a word of the description');
  assert.equal((await store.searchEvents({ q: 'payroll' })).total, 10);
  assert.equal((await store.searchEvents({ q: 'Q3-pay*' })).total, 10);
  assert.equal((await store.searchEvents({ q: '"failed to log in"' })).total, 10);
  const ip = await store.searchEvents({ q: '203.0.113.7' });
  assert.ok(ip.total > 0 && ip.events.every((e) => e.sourceIp === '203.0.113.7'));
  const noMallory = await store.searchEvents({ q: 'contoso.com -mallory', limit: 500 });
  assert.ok(noMallory.total > 0 && noMallory.events.every((e) => e.user !== 'mallory@contoso.com'));
  const withoutMallory = await store.searchEvents({ q: '-mallory', limit: 500 });
  assert.ok(withoutMallory.total > 0 && withoutMallory.events.every((e) => e.user !== 'mallory@contoso.com'));
  await assert.rejects(
    store.searchEvents({ q: 'user:alice AND (' }),
    (err) => err instanceof QuerySyntaxError && err.position === 15,
    'a mistake in the query is reported with its position',
  );
  await store.close();
});

test('a full-text search with many matches counts up to the cap, says "at least", and pages in time order', async () => {
  const { store } = tempStore();
  const count = FULL_TEXT_COUNT_LIMIT + 2000;
  const events = sampleEvents(count, NEWEST, 1000);
  for (let i = 0; i < count; i += 1000) store.insertEvents(events.slice(i, i + 1000));
  // Every sample user is @contoso.com: the word matches every event, so its pages are the unfiltered pages.
  for (const order of ['desc', 'asc'] as const) {
    const first = await store.searchEvents({ q: 'contoso', order, limit: 40 });
    const plain = await store.searchEvents({ order, limit: 40 });
    assert.equal(plain.total, count);
    assert.equal(first.total, FULL_TEXT_COUNT_LIMIT);
    assert.equal(first.totalAtLeast, true);
    assert.deepEqual(
      first.events.map((e) => e.id),
      plain.events.map((e) => e.id),
      order,
    );
    const second = await store.searchEvents({ q: 'contoso', order, limit: 40, cursor: first.nextCursor! });
    const plainSecond = await store.searchEvents({ order, limit: 40, cursor: plain.nextCursor! });
    assert.deepEqual(
      second.events.map((e) => e.id),
      plainSecond.events.map((e) => e.id),
    );
  }
  // A quarter of the events are mallory's: below the cap the total is exact.
  const few = await store.searchEvents({ q: 'contoso mallory' });
  assert.equal(few.total, count / 4);
  assert.equal(few.totalAtLeast, undefined);
  await store.close();
});

test('a search of document fields with many matches counts up to the cap, says "at least", and pages in time order', async () => {
  const { store } = tempStore();
  const count = FULL_TEXT_COUNT_LIMIT + 2000;
  const events = sampleEvents(count, NEWEST, 1000);
  for (let i = 0; i < count; i += 1000) store.insertEvents(events.slice(i, i + 1000));
  // Every event has both: user.domain is narrowed by the full-text index first, office365.record_id is not. Over
  // all time the full-text matches are read as a list; over 11,000 of the 12,000 events the range is walked instead.
  const ranges = [{}, { from: NEWEST - 11_000 * 1000 + 1, to: NEWEST + 1 }];
  for (const [q, range] of ranges.flatMap((r) =>
    ['user.domain:contoso.com', 'office365.record_id:*'].map((q) => [q, r] as const),
  )) {
    for (const order of ['desc', 'asc'] as const) {
      const first = await store.searchEvents({ q, order, limit: 40, ...range });
      const plain = await store.searchEvents({ order, limit: 40, ...range });
      assert.equal(first.total, FULL_TEXT_COUNT_LIMIT, q);
      assert.equal(first.totalAtLeast, true, q);
      assert.deepEqual(
        first.events.map((e) => e.id),
        plain.events.map((e) => e.id),
        `${q} ${order}`,
      );
      const second = await store.searchEvents({ q, order, limit: 40, cursor: first.nextCursor!, ...range });
      const plainSecond = await store.searchEvents({ order, limit: 40, cursor: plain.nextCursor!, ...range });
      assert.deepEqual(
        second.events.map((e) => e.id),
        plainSecond.events.map((e) => e.id),
        `${q} ${order}, second page`,
      );
    }
  }
  // Below the cap the total is exact and the page is the newest matches.
  const mallory = events.filter((e) => e.raw.UserId === 'mallory@contoso.com');
  const few = await store.searchEvents({ q: 'user.name:mallory', limit: 30 });
  assert.equal(few.total, mallory.length);
  assert.equal(few.totalAtLeast, undefined);
  assert.deepEqual(
    few.events.map((e) => e.id),
    mallory.slice(0, 30).map((e) => e.id),
  );
  const downloads = events.filter((e) => e.raw.RecordType === 6);
  const typed = await store.searchEvents({ q: 'office365.record_type:6', order: 'asc', limit: 30 });
  assert.equal(typed.total, downloads.length);
  assert.equal(typed.totalAtLeast, undefined);
  assert.deepEqual(
    typed.events.map((e) => e.id),
    downloads
      .slice(-30)
      .reverse()
      .map((e) => e.id),
  );
  await store.close();
});

test('keyset paging visits every matching event once, newest first', async () => {
  const { store } = tempStore();
  // Many events share a timestamp: the cursor must still be exact.
  store.insertEvents(sampleEvents(95, NEWEST, 0).map((e, i) => ({ ...e, time: NEWEST - Math.floor(i / 10) * 1000 })));
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 20; guard++) {
    const page = await store.searchEvents({ limit: 20, ...(cursor ? { cursor } : {}) });
    seen.push(...page.events.map((e) => e.id));
    for (let i = 1; i < page.events.length; i++) assert.ok(page.events[i - 1]!.time >= page.events[i]!.time);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  assert.equal(seen.length, 95);
  assert.equal(new Set(seen).size, 95);
  await assert.rejects(store.searchEvents({ cursor: 'garbage!' }), /cursor: is not a cursor/);
  await assert.rejects(store.searchEvents({ limit: 0 }), /limit: must be an integer between 1 and 500/);
  await store.close();
});

test('a search that reads documents pages in both orders with exact totals (one pass)', async () => {
  const { store } = tempStore();
  // Ties on time, and a field that is not a column (read from the ECS documents).
  store.insertEvents(sampleEvents(95, NEWEST, 0).map((e, i) => ({ ...e, time: NEWEST - Math.floor(i / 10) * 1000 })));
  const q = 'user.domain:contoso.com AND NOT raw.Operation:UserLoggedIn';
  const expected = (await store.searchEvents({ q, limit: 500 })).events.map((e) => e.id);
  assert.ok(expected.length > 40 && expected.length < 95);
  for (const order of ['desc', 'asc'] as const) {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 20; guard++) {
      const page = await store.searchEvents({ q, order, limit: 15, ...(cursor ? { cursor } : {}) });
      assert.equal(page.total, expected.length, 'the total counts every match, whatever the page');
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    assert.deepEqual(seen, order === 'desc' ? expected : [...expected].reverse(), order);
  }
  await store.close();
});

test('the tail selects by ingestion order: a late event with an old time is delivered once', async () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(30));
  const start = await store.tailEvents({ tenant: 'contoso' }, undefined);
  assert.deepEqual(start.events, [], 'from now: nothing yet');
  const page = await store.searchEvents({ tenant: 'contoso' });
  assert.equal(page.tailCursor, start.cursor, 'the page and the tail agree on where "now" is');

  const [late, other] = sampleEvents(2, NEWEST - 10 * 86_400_000).map((e, i) => ({ ...e, id: `${e.tenantId}:late-${i}` }));
  store.insertEvents([late!, other!], NEWEST);
  const next = await store.tailEvents({ tenant: 'contoso' }, start.cursor);
  assert.deepEqual(
    next.events.map((e) => e.id),
    [late!.id],
    'the old event ingested late is there; the other tenant is not',
  );
  assert.equal(next.more, false);
  assert.deepEqual((await store.tailEvents({ tenant: 'contoso' }, next.cursor)).events, [], 'never sent twice');

  // A burst larger than the limit comes in order over several calls.
  store.insertEvents(sampleEvents(40, NEWEST - 86_400_000).map((e, i) => ({ ...e, id: `${e.tenantId}:burst-${i}` })));
  const ids: string[] = [];
  let cursor = next.cursor;
  for (let guard = 0; guard < 10; guard++) {
    const part = await store.tailEvents({ q: 'contoso.com' }, cursor, 7);
    ids.push(...part.events.map((e) => e.id));
    cursor = part.cursor;
    if (!part.more) break;
  }
  assert.equal(ids.length, new Set(ids).size);
  assert.ok(ids.length > 7 && ids.every((id) => id.includes(':burst-')), 'every matching burst event, once');
  await assert.rejects(store.tailEvents({}, 'nope'), /after: is not a tail cursor/);

  // Deleting the newest rows does not make seq go back: the cursor stays valid.
  store.applyRetention(NEWEST + 400 * 86_400_000);
  assert.equal(store.countEvents(), 0);
  store.insertEvents(
    sampleEvents(1).map((e) => ({ ...e, id: `${e.tenantId}:after-retention` })),
    NEWEST,
  );
  const resumed = await store.tailEvents({}, cursor);
  assert.deepEqual(
    resumed.events.map((e) => e.id),
    [`${TENANTS[0].id}:after-retention`],
  );
  await store.close();
});

test('an event keeps its ECS and raw documents and knows its alerts', async () => {
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
  await store.close();
});

test('a grouped alert raised again with a higher count replaces the stored one and links its new events', async () => {
  const { store } = tempStore();
  const events = sampleEvents(24);
  store.insertEvents(events);
  const [a, b, c] = events;
  const first = sampleAlert([a!], { id: 'group-1', count: 1, firstSeen: a!.time, lastSeen: a!.time });
  assert.equal(store.insertAlerts([first]), 1);
  const again = { ...first, count: 3, eventIds: [a!.id, b!.id, c!.id], lastSeen: c!.time, time: Math.max(a!.time, c!.time) };
  assert.equal(store.insertAlerts([again]), 0, 'not a new alert');
  const stored = store.getAlert('group-1');
  assert.equal(stored?.alert.count, 3);
  assert.deepEqual(stored?.events.map((e) => e.id).sort(), [a!.id, b!.id, c!.id].sort());
  await store.close();
});

test('alerts: idempotent, filtered by level and tenant, linked to their events', async () => {
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
    (await store.searchEvents({ alertId: 'crit-1' })).events.map((e) => e.id).sort(),
    [fab[0]!.id, fab[1]!.id].sort(),
  );
  assert.equal((await store.searchEvents({ alerted: true })).total, 6);
  const listed = (await store.searchEvents({ limit: 500 })).events;
  assert.deepEqual(
    listed
      .filter((e) => e.alerted)
      .map((e) => e.id)
      .sort(),
    [...high.eventIds, ...low.eventIds, fab[0]!.id, fab[1]!.id].sort(),
  );
  assert.equal(store.getAlert('nope'), undefined);
  assert.throws(() => store.listAlerts({ minLevel: 'severe' as never }), /level: must be one of informational/);
  await store.close();
});

test('histogram: counted bucket by bucket, grouped, or cut to a range, the figures agree', async () => {
  // Totals, failures, bucket bounds and time bounds are in the shared contract; this covers SQLite's counting paths.
  const { store } = tempStore();
  store.insertEvents(sampleEvents(120));
  const hour = 3_600_000;
  store.insertEvents(sampleEvents(120), NEWEST); // duplicates: not counted again
  const buckets = await store.histogram({}, hour);
  assert.equal(
    buckets.reduce((n, b) => n + b.count, 0),
    120,
  );
  // Counted bucket by bucket (columns only) or grouped (full text, or too many buckets): the same figures.
  assert.deepEqual(await store.histogram({ q: 'contoso.com' }, hour), buckets, 'every sample event has a contoso.com user');
  const window = { from: NEWEST - 30 * 60_000, to: NEWEST - 10 * 60_000 + 1 };
  const ranged = await store.histogram(window, hour);
  assert.equal(
    ranged.reduce((n, b) => n + b.count, 0),
    21,
    'the bucket is cut to the filter range',
  );
  assert.deepEqual(await store.histogram({ ...window, q: 'contoso.com' }, hour), ranged);
  const seconds = await store.histogram({}, 1000);
  assert.equal(seconds.length, 120, 'one bucket per event, grouped: 7,140 buckets are too many to count one by one');
  const regrouped = new Map<number, { count: number; failures: number }>();
  for (const b of seconds) {
    const start = Math.floor(b.start / hour) * hour;
    const sum = regrouped.get(start) ?? { count: 0, failures: 0 };
    regrouped.set(start, { count: sum.count + b.count, failures: sum.failures + b.failures });
  }
  assert.deepEqual(
    [...regrouped].map(([start, v]) => ({ start, ...v })),
    buckets,
  );
  await store.close();
});

test('top values of a field', async () => {
  const { store } = tempStore();
  store.insertEvents(sampleEvents(60));
  const top = await store.topValues({}, 'action', 3);
  assert.equal(top.values.length, 3);
  assert.ok(top.values.every((v) => v.count === 10));
  assert.deepEqual(top, { values: top.values, exact: true, sample: 60, matched: 60 });
  assert.deepEqual((await store.topValues({ tenant: 'contoso' }, 'tenant')).values, [{ value: 'contoso', count: 30 }]);
  await store.close();
});

test('per tenant × content type counters and events per minute', async () => {
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
  await store.close();
});

test('retention deletes by age and by count, keeping full-text in sync', async () => {
  const { store } = tempStore({ retention: '1h', max_events: 1000 });
  const events = sampleEvents(120); // one per minute: 60 are older than 1h at NEWEST
  store.insertEvents(events);
  store.insertAlerts([sampleAlert([events[100]!], { id: 'old' }), sampleAlert([events[2]!], { id: 'new' })]);
  const result = store.applyRetention(NEWEST + 1);
  assert.equal(result.deletedEvents, 60);
  assert.equal(result.deletedAlerts, 1);
  assert.equal(store.countEvents(), 60);
  assert.equal((await store.searchEvents({})).total, 60);
  const left = await store.histogram({}, 3_600_000);
  assert.equal(
    left.reduce((n, b) => n + b.count, 0),
    60,
    'the per-minute counts follow the deletions',
  );
  assert.deepEqual(left, await store.histogram({ q: 'contoso.com' }, 3_600_000));
  assert.equal(
    (await store.searchEvents({ q: 'contoso.com', limit: 500 })).total,
    60,
    'deleted events are gone from full-text too',
  );
  assert.ok((await store.searchEvents({ q: 'contoso.com', limit: 500 })).events.every((e) => e.time > NEWEST - 3_600_000));
  assert.deepEqual(
    store.listAlerts({}).alerts.map((a) => a.id),
    ['new'],
  );
  await store.close();

  const capped = tempStore({ max_events: 1000 }).store;
  capped.insertEvents(sampleEvents(1500));
  assert.equal(capped.applyRetention(NEWEST).deletedEvents, 500);
  assert.equal(capped.countEvents(), 1000);
  const oldest = await capped.searchEvents({ to: NEWEST - 999 * 60_000 });
  assert.equal(oldest.total, 0, 'the oldest were deleted');
  await capped.close();
});

test('retention bounds the file size', async () => {
  const { store, path } = tempStore({ max_size_mb: 2, max_events: 1_000_000 });
  // Incompressible padding: the documents are stored compressed.
  store.insertEvents(sampleEvents(3000).map((e) => ({ ...e, raw: { ...e.raw, Padding: randomBytes(1500).toString('base64') } })));
  const before = statSync(path).size;
  assert.ok(before > 4 * 1024 * 1024, `test data must exceed the cap (${before})`);
  const result = store.applyRetention(NEWEST);
  assert.ok(result.deletedEvents > 0);
  assert.ok(store.countEvents() < 3000);
  await store.close();
  assert.ok(statSync(path).size <= 2.5 * 1024 * 1024, `file shrank to ${statSync(path).size}`);
});

test('the store survives a reopen', async () => {
  const { store, path } = tempStore();
  store.insertEvents(sampleEvents(10));
  await store.close();
  const again = openEventStore(storeSchema.parse({ path }));
  assert.equal(again.countEvents(), 10);
  assert.equal(again.insertEvents(sampleEvents(10)), 0);
  await again.close();
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
  await store.close();
});

test('a store file of the old format is set aside with a warning, never a crash', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-old-'));
  const path = join(dir, 'events.db');
  const old = new Database(path);
  old.exec(
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT, ecs TEXT, raw TEXT); INSERT INTO events VALUES (1, 'x', '{}', '{}');",
  );
  old.pragma('user_version = 1');
  old.close();
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  const store = openEventStore(storeSchema.parse({ path }), { logger });
  assert.equal(store.countEvents(), 0);
  assert.equal(store.insertEvents(sampleEvents(3)), 3);
  assert.equal((await store.searchEvents({})).total, 3);
  await store.close();
  assert.match(lines.join(''), /event store format changed/);
  assert.ok(existsSync(`${path}.format1.old`), 'the old file is kept beside the new one');

  // Format 2 (full text over every raw value, no ingestion cursor) is set aside the same way.
  const oldFormatFile = (version: number, table: string): string => {
    const file = join(dir, `format${version}.db`);
    const db = new Database(file);
    db.exec(table);
    db.pragma(`user_version = ${version}`);
    db.close();
    return file;
  };
  const second = oldFormatFile(
    2,
    'CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, block INTEGER, slot INTEGER);',
  );
  lines.length = 0;
  const upgraded = openEventStore(storeSchema.parse({ path: second }), { logger });
  assert.equal(upgraded.countEvents(), 0);
  await upgraded.close();
  assert.match(lines.join(''), new RegExp(`"oldFormat":2,"format":${SCHEMA_VERSION}`));
  assert.ok(existsSync(`${second}.format2.old`));

  // Format 4 (a UNIQUE text index on id, user and IP indexes, full text without the column values) the same way.
  const fourth = oldFormatFile(
    4,
    'CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user TEXT, block INTEGER);',
  );
  lines.length = 0;
  const fromFour = openEventStore(storeSchema.parse({ path: fourth }), { logger });
  assert.equal(fromFour.insertEvents(sampleEvents(3)), 3);
  assert.equal((await fromFour.searchEvents({ user: 'alice@contoso.com' })).total, 2);
  await fromFour.close();
  assert.match(lines.join(''), new RegExp(`"oldFormat":4,"format":${SCHEMA_VERSION}`));
  assert.ok(existsSync(`${fourth}.format4.old`));

  const newer = join(dir, 'newer.db');
  const future = new Database(newer);
  future.pragma('user_version = 99');
  future.close();
  assert.throws(() => openEventStore(storeSchema.parse({ path: newer })), /written by a newer version \(schema 99/);
});

test('a search past its time limit is stopped and says so', async () => {
  const { store } = tempStore({ query_timeout: '200ms' });
  store.insertEvents(sampleEvents(5000));
  const slow = Array.from({ length: 100 }, (_, i) => `raw.F${i}:*x*`).join(' OR ');
  await assert.rejects(store.searchEvents({ q: slow }), (err) => err instanceof QueryCancelledError && err.timedOut);
  assert.equal(store.runningSearches(), 0);
  assert.equal((await store.searchEvents({ q: 'event.outcome:failure' })).total > 0, true, 'the pool recovered');
  await store.close();
});

test('the raw record is stored as the text it was received as, when the event has it', async () => {
  const { store } = tempStore();
  const [event] = sampleEvents(1);
  // The keys in another order than the object's: what is read back is the text, not a JSON.stringify of the object.
  const keys = Object.keys(event!.raw).reverse();
  const rawText = `{${keys.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(event!.raw[k])}`).join(', ')}}`;
  store.insertEvents([{ ...event!, rawText }]);
  const stored = store.getEvent(event!.id);
  assert.deepEqual(Object.keys(stored!.raw), keys);
  assert.deepEqual(stored!.raw, event!.raw);
  assert.equal((await store.searchEvents({ q: `raw.Operation:${event!.raw.Operation}` })).total, 1);
  await store.close();
});

test('user and IP filters are exact without an index of their own, whatever field the value came from', async () => {
  const { store } = tempStore();
  const events = sampleEvents(40);
  // The user only in raw.UserKey and the address only in raw.ActorIpAddress with a port: neither is a full-text field.
  const odd = {
    ...events[0]!,
    id: `${TENANTS[0].id}:odd`,
    ecs: { '@timestamp': new Date(NEWEST).toISOString(), event: { action: 'Odd' } },
    raw: {
      ...events[0]!.raw,
      Id: 'odd',
      UserId: undefined,
      ObjectId: undefined,
      ClientIP: undefined,
      UserKey: 'S-1-5-21-777',
      ActorIpAddress: '192.0.2.99:4431',
    },
    description: 'something happened',
  };
  store.insertEvents([...events, odd]);
  assert.equal((await store.searchEvents({ user: 's-1-5-21-777' })).total, 1, 'the user column, case-insensitive');
  assert.equal((await store.searchEvents({ ip: '192.0.2.99' })).total, 1, 'the IP column without its port');
  assert.equal((await store.searchEvents({ q: 'user:S-1-5-21-*' })).total, 1);
  assert.equal((await store.searchEvents({ q: 'source.ip:192.0.2.99' })).total, 1);
  const alice = events.filter((e) => e.raw.UserId === 'alice@contoso.com').length;
  assert.equal((await store.searchEvents({ user: 'ALICE@contoso.com', limit: 500 })).total, alice);
  assert.equal((await store.searchEvents({ q: 'user:alice@contoso.com', limit: 500 })).total, alice);
  // A shared word is not a match: the column is compared after the full-text narrowing.
  assert.equal((await store.searchEvents({ user: 'contoso.com' })).total, 0);
  assert.equal((await store.searchEvents({ q: 'user:al*', limit: 500 })).total, alice);
  const notAlice = await store.searchEvents({ q: 'NOT user:alice@contoso.com', limit: 500 });
  assert.ok(notAlice.events.every((e) => e.user?.toLowerCase() !== 'alice@contoso.com'));
  assert.equal(notAlice.total, 41 - alice);
  const ip = events[0]!.raw.ClientIP as string;
  const byIp = events.filter((e) => e.raw.ClientIP === ip).length;
  assert.equal((await store.searchEvents({ ip, limit: 500 })).total, byIp);
  await store.close();
});

test('ids are found by their integer key and compared whole: two ids with one key are two events', async () => {
  const { store, path } = tempStore();
  const [a, b] = sampleEvents(2);
  store.insertEvents([a!]);
  // A row whose key is the one of b's id but whose id is another (a hash collision, made by hand).
  const db = new Database(path);
  db.prepare(`INSERT INTO events (id, id_key, tenant_id, tenant_name, content_type, time, ingested_at, description, block, slot)
    SELECT 'collides-with-b', ?, tenant_id, tenant_name, content_type, time, ingested_at, description, block, slot FROM events`).run(
    eventIdKey(b!.id),
  );
  db.close();
  assert.equal(store.insertEvents([b!, b!, a!]), 1, 'b is new (once), a is stored');
  assert.equal(store.getEvent(b!.id)?.id, b!.id);
  assert.equal(store.countEvents(), 3);
  assert.equal(store.getEvent(`${b!.id}x`), undefined);
  assert.equal(store.insertEvents([b!]), 0);
  await store.close();
});

test('SIGKILLed while inserting, again and again, and delivered again from before the kill: every event stored once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-kill-'));
  const path = join(dir, 'events.db');
  const child = fileURLToPath(new URL('./testing/insert-child.ts', import.meta.url));
  const TOTAL = 3000;
  /** Runs the writer from `from`; kills it after `killAfter` confirmed batches. The last batch it confirmed. */
  const run = (from: number, killAfter?: number) =>
    new Promise<number>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, path, String(from), String(TOTAL)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      let confirmed = from;
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`writer did not finish within 60 s: ${output}`));
      }, 60_000);
      proc.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const batches = [...output.matchAll(/batch (\d+)/g)];
        if (batches.length > 0) confirmed = Number(batches.at(-1)![1]);
        if (killAfter !== undefined && batches.length >= killAfter) proc.kill('SIGKILL');
      });
      proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (signal === 'SIGKILL' || code === 0) resolve(confirmed);
        else reject(new Error(`writer exited with ${code}: ${output}`));
      });
    });
  let from = 0;
  for (let kill = 0; kill < 6; kill++) {
    const confirmed = await run(from, 2 + Math.floor(Math.random() * 8));
    // The checkpoint lags: up to two batches the store committed come again.
    from = Math.max(0, Math.min(confirmed, TOTAL) - 100);
  }
  await run(from);
  const store = openEventStore(storeSchema.parse({ path }));
  assert.equal(store.countEvents(), TOTAL);
  assert.equal((await store.searchEvents({})).total, TOTAL, 'the per-minute counts too');
  await store.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare('SELECT count(*) FROM (SELECT id FROM events GROUP BY id HAVING count(*) > 1)').pluck().get(), 0);
  assert.equal(db.prepare("SELECT count(*) FROM events_fts WHERE events_fts MATCH 'contoso'").pluck().get(), TOTAL);
  db.close();
});

test('a column search with many matches in a large range counts to 10,000 and says "at least"; an indexed column, a small range or a bare range counts exactly', async () => {
  const { store, path } = tempStore();
  const events = sampleEvents(FULL_TEXT_COUNT_LIMIT + 4000, NEWEST, 1000);
  for (let i = 0; i < events.length; i += 2000) store.insertEvents(events.slice(i, i + 2000));
  await store.close();
  const db = new Database(path, { readonly: true });
  try {
    // "Large" here: a range of more than 5,000 events (10M-event stores use 1,000,000).
    const reads = createEventReads(db, db, { exactCountRange: 5000 });
    const everyAction = { q: 'NOT event.action:NoSuchOperation' };
    const capped = reads.searchEvents(everyAction, NEWEST);
    assert.equal(capped.total, FULL_TEXT_COUNT_LIMIT);
    assert.equal(capped.totalAtLeast, true);
    assert.equal(capped.events.length, 50, 'the page itself is whole');
    const week = { ...everyAction, from: NEWEST - 4000 * 1000, to: NEWEST + 1 };
    assert.equal(reads.searchEvents(week, NEWEST).total, 4001, 'a range below the threshold is counted exactly');
    assert.equal(createEventReads(db).searchEvents(everyAction, NEWEST).total, events.length, 'the default threshold');
    const successes = events.filter((e) => (e.ecs.event as { outcome: string }).outcome === 'success').length;
    assert.ok(successes > FULL_TEXT_COUNT_LIMIT);
    const succeeded = reads.searchEvents({ outcome: 'success' }, NEWEST);
    assert.equal(succeeded.total, successes, 'counted through its own index: exact');
    assert.equal(succeeded.totalAtLeast, undefined);
    assert.equal(reads.searchEvents({}, NEWEST).total, events.length, 'a bare range from the per-minute counts');
  } finally {
    db.close();
  }
});
