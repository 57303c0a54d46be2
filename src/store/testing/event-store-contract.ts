import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProcessedEvent } from '../../core/processed-event.ts';
import { QuerySyntaxError } from '../../query/index.ts';
import { StoreQueryError } from '../errors.ts';
import type { EventStore } from '../event-store.ts';
import { sampleAlert, sampleEvents, TENANTS } from './sample-events.ts';

const NEWEST = Date.parse('2026-11-24T12:00:00Z');
/** The clock of relative times in queries (`now-90m`). */
export const CONTRACT_NOW = Date.parse('2026-11-24T12:30:00Z');

/** Opens an empty store with the given `store:` settings and CONTRACT_NOW as the query clock. */
export type OpenStore = (overrides?: Record<string, unknown>) => Promise<EventStore>;

async function insert(store: EventStore, events: readonly ProcessedEvent[], now?: number): Promise<void> {
  store.insertEvents(events, now);
  await store.flush();
}

/** The sample events with a country only ECS knows (GeoIP) and a number in a field that is not a column. */
function withGeo(events: ProcessedEvent[]): ProcessedEvent[] {
  return events.map((e, i) => {
    const source = e.ecs.source as Record<string, unknown>;
    const country = source.ip === '203.0.113.7' ? 'FR' : 'US';
    return {
      ...e,
      ecs: {
        ...e.ecs,
        source: { ...source, geo: { country_iso_code: country } },
        http: { response: { status_code: 200 + (i % 5) } },
      },
    };
  });
}

const ecs = (e: ProcessedEvent, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], e.ecs);
const str = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');

/**
 * The behaviour every event store has, whatever it is kept in: the SQLite file (one process) and the PostgreSQL
 * database (scaled out) run these same tests. Each test opens its own empty store.
 */
export function eventStoreContract(open: OpenStore): void {
  test('inserts are idempotent on id and every filter of the page works', async () => {
    const store = await open();
    try {
      const events = sampleEvents(120);
      await insert(store, events);
      await insert(store, events.slice(0, 50));
      assert.equal(await store.countEvents(), 120);
      const all = await store.searchEvents({ limit: 500 });
      assert.equal(all.total, 120);
      assert.equal(all.events[0]?.time, NEWEST);
      const byTenant = await store.searchEvents({ tenant: 'fabrikam', limit: 500 });
      assert.equal(byTenant.total, 60);
      assert.ok(byTenant.events.every((e) => e.tenantId === TENANTS[1].id));
      assert.equal((await store.searchEvents({ tenant: TENANTS[1].id })).total, 60);
      const byUser = await store.searchEvents({ user: 'MALLORY@contoso.com', limit: 500 });
      assert.ok(byUser.total > 0 && byUser.events.every((e) => e.user === 'mallory@contoso.com'));
      const byIp = await store.searchEvents({ ip: '2001:db8::42', limit: 500 });
      assert.ok(byIp.total > 0 && byIp.events.every((e) => e.sourceIp === '2001:db8::42'));
      assert.equal((await store.searchEvents({ action: 'new-inboxrule' })).total, 20);
      assert.equal((await store.searchEvents({ workload: 'SharePoint' })).total, 20);
      assert.equal((await store.searchEvents({ outcome: 'failure' })).total, 20);
      assert.equal((await store.searchEvents({ outcome: 'unknown' })).total, 0);
      assert.equal((await store.searchEvents({ contentType: 'Audit.Exchange' })).total, 40);
      assert.equal((await store.searchEvents({ from: NEWEST - 9 * 60_000, to: NEWEST + 1 })).total, 10);
      assert.equal((await store.searchEvents({ action: 'UserLoginFailed', tenant: 'contoso' })).total, 0);
    } finally {
      await store.close();
    }
  });

  test('full-text search: words, emails, IPs, prefixes, exclusions, phrases, accents', async () => {
    const store = await open();
    try {
      const events = sampleEvents(60);
      events[0] = { ...events[0]!, description: `${events[0]!.description} (Zoë Müller)` };
      await insert(store, events);
      assert.equal((await store.searchEvents({ q: 'drop@evil.example' })).total, 10, 'a value of the raw record');
      assert.equal((await store.searchEvents({ q: 'forwarding' })).total, 10, 'a word of the description');
      assert.equal((await store.searchEvents({ q: 'payroll' })).total, 10);
      assert.equal((await store.searchEvents({ q: 'Q3-pay*' })).total, 10);
      assert.equal((await store.searchEvents({ q: '"failed to log in"' })).total, 10);
      assert.equal((await store.searchEvents({ q: '"log in failed"' })).total, 0, 'a phrase keeps its word order');
      assert.equal((await store.searchEvents({ q: 'zoe muller' })).total, 1, 'accents do not matter');
      const ip = await store.searchEvents({ q: '203.0.113.7' });
      assert.ok(ip.total > 0 && ip.events.every((e) => e.sourceIp === '203.0.113.7'));
      const noMallory = await store.searchEvents({ q: 'contoso.com -mallory', limit: 500 });
      assert.ok(noMallory.total > 0 && noMallory.events.every((e) => e.user !== 'mallory@contoso.com'));
      await assert.rejects(
        store.searchEvents({ q: 'user:alice AND (' }),
        (err) => err instanceof QuerySyntaxError && err.position === 15,
      );
    } finally {
      await store.close();
    }
  });

  test('keyset paging visits every matching event once, newest first', async () => {
    const store = await open();
    try {
      // Many events share a timestamp: the cursor must still be exact.
      await insert(
        store,
        sampleEvents(95, NEWEST, 0).map((e, i) => ({ ...e, time: NEWEST - Math.floor(i / 10) * 1000 })),
      );
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.searchEvents({ limit: 20, ...(cursor ? { cursor } : {}) });
        seen.push(...page.events.map((e) => e.id));
        for (let i = 1; i < page.events.length; i++) assert.ok(page.events[i - 1]!.time >= page.events[i]!.time);
        assert.equal(page.total, 95);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      assert.equal(seen.length, 95);
      assert.equal(new Set(seen).size, 95);
      await assert.rejects(store.searchEvents({ cursor: 'garbage!' }), /cursor: is not a cursor/);
      await assert.rejects(store.searchEvents({ limit: 0 }), /limit: must be an integer between 1 and 500/);
    } finally {
      await store.close();
    }
  });

  test('order=asc sorts the whole result oldest first, and its pages continue in that order', async () => {
    const store = await open();
    try {
      await insert(
        store,
        sampleEvents(95, NEWEST, 0).map((e, i) => ({ ...e, time: NEWEST - Math.floor(i / 10) * 1000 })),
      );
      const desc = await store.searchEvents({ limit: 500 });
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await store.searchEvents({ order: 'asc', limit: 20, ...(cursor ? { cursor } : {}) });
        assert.equal(page.total, 95);
        seen.push(...page.events.map((e) => e.id));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, desc.events.map((e) => e.id).reverse(), 'exactly the newest-first result, reversed');
      assert.equal((await store.searchEvents({ order: 'asc', limit: 1 })).events[0]?.time, NEWEST - 9000, 'the oldest of all');
      const descCursor = (await store.searchEvents({ limit: 20 })).nextCursor!;
      await assert.rejects(store.searchEvents({ order: 'asc', cursor: descCursor }), /cursor: was made for order=desc/);
      await assert.rejects(store.searchEvents({ order: 'up' as 'asc' }), /order: must be asc or desc/);
    } finally {
      await store.close();
    }
  });

  test('the live tail selects by ingestion order: a late event with an old time comes once, bursts in parts', async () => {
    const store = await open();
    try {
      await insert(store, sampleEvents(30));
      const start = await store.tailEvents({ tenant: 'contoso' }, undefined);
      assert.deepEqual(start.events, [], 'from now: nothing yet');
      const page = await store.searchEvents({ tenant: 'contoso' });
      assert.equal(page.tailCursor, start.cursor, 'the page and the tail agree on where "now" is');
      const [late, other] = sampleEvents(2, NEWEST - 10 * 86_400_000).map((e, i) => ({ ...e, id: `${e.tenantId}:late-${i}` }));
      await insert(store, [late!, other!], NEWEST);
      const next = await store.tailEvents({ tenant: 'contoso' }, page.tailCursor);
      assert.deepEqual(
        next.events.map((e) => e.id),
        [late!.id],
        'the old event ingested late is there; the other tenant is not',
      );
      assert.equal(next.more, false);
      assert.deepEqual((await store.tailEvents({ tenant: 'contoso' }, next.cursor)).events, [], 'never sent twice');
      await insert(
        store,
        sampleEvents(40, NEWEST - 86_400_000).map((e, i) => ({ ...e, id: `${e.tenantId}:burst-${i}` })),
      );
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
      await assert.rejects(store.tailEvents({}, cursor, 0), /limit: must be an integer/);
    } finally {
      await store.close();
    }
  });

  test('an event keeps its ECS and raw documents and knows its alerts', async () => {
    const store = await open();
    try {
      const events = sampleEvents(12);
      await insert(store, events);
      const inbox = events.filter((e) => e.raw.Operation === 'New-InboxRule');
      store.insertAlerts([sampleAlert(inbox)]);
      await store.flush();
      const stored = await store.getEvent(inbox[0]!.id);
      assert.ok(stored);
      assert.deepEqual(stored.raw, inbox[0]!.raw);
      assert.deepEqual(stored.ecs, inbox[0]!.ecs);
      assert.equal(stored.action, 'New-InboxRule');
      assert.equal(stored.outcome, 'success');
      assert.deepEqual(stored.alertIds, [`alert-${inbox[0]!.id}`]);
      assert.equal(await store.getEvent('nope'), undefined);
      const several = await store.getEvents([events[3]!.id, 'nope', events[1]!.id]);
      assert.deepEqual(
        several.map((e) => e.id),
        [events[3]!.id, events[1]!.id],
        'in the order asked, unknown ids left out',
      );
    } finally {
      await store.close();
    }
  });

  test('alerts: grouped alerts replaced, filtered by level, tenant and title, paged, linked to their events', async () => {
    const store = await open();
    try {
      const events = sampleEvents(24);
      await insert(store, events);
      const contoso = events.filter((e) => e.tenantName === 'contoso');
      const high = sampleAlert(contoso.slice(0, 3));
      const low = sampleAlert([contoso[5]!], { id: 'low-1', level: 'low', title: 'Mailbox accessed by a service account' });
      const fab = events.filter((e) => e.tenantName === 'fabrikam');
      const critical = sampleAlert([fab[0]!], {
        id: 'crit-1',
        level: 'critical',
        title: 'Global admin role granted',
        eventIds: [fab[0]!.id, 'gone:1'],
        count: 1,
      });
      store.insertAlerts([high, low, critical]);
      store.insertAlerts([high]);
      // The group is raised again with one more event: the newer version replaces the stored one.
      store.insertAlerts([{ ...critical, count: 2, eventIds: [fab[0]!.id, 'gone:1', fab[1]!.id] }]);
      await store.flush();
      const byTime = [high, low, critical].sort((a, b) => b.time - a.time).map((a) => a.id);
      assert.deepEqual(
        (await store.listAlerts({})).alerts.map((a) => a.id),
        byTime,
      );
      assert.deepEqual(
        (await store.listAlerts({ minLevel: 'high' })).alerts.map((a) => a.id).sort(),
        [critical.id, high.id].sort(),
      );
      assert.deepEqual(
        (await store.listAlerts({ tenant: 'fabrikam' })).alerts.map((a) => a.id),
        ['crit-1'],
      );
      assert.deepEqual(
        (await store.listAlerts({ text: 'global ADMIN' })).alerts.map((a) => a.id),
        ['crit-1'],
      );
      assert.deepEqual((await store.listAlerts({ text: '100%' })).alerts, []);
      const page1 = await store.listAlerts({ limit: 2 });
      assert.equal(page1.alerts.length, 2);
      const page2 = await store.listAlerts({ limit: 2, cursor: page1.nextCursor! });
      assert.deepEqual(
        [...page1.alerts, ...page2.alerts].map((a) => a.id),
        byTime,
      );
      assert.equal(page2.nextCursor, undefined);

      const detail = await store.getAlert('crit-1');
      assert.ok(detail);
      assert.equal(detail.alert.count, 2);
      assert.deepEqual(detail.events.map((e) => e.id).sort(), [fab[0]!.id, fab[1]!.id].sort());
      assert.deepEqual(detail.missingEventIds, ['gone:1']);
      assert.ok(detail.events.every((e) => e.alerted));
      assert.deepEqual(
        (await store.searchEvents({ alertId: 'crit-1' })).events.map((e) => e.id).sort(),
        [fab[0]!.id, fab[1]!.id].sort(),
      );
      assert.equal((await store.searchEvents({ alerted: true })).total, 6);
      assert.equal(await store.getAlert('nope'), undefined);
      await assert.rejects(async () => store.listAlerts({ minLevel: 'severe' as never }), /level: must be one of informational/);
    } finally {
      await store.close();
    }
  });

  test('histogram, time bounds and exact top values', async () => {
    const store = await open();
    try {
      await insert(store, sampleEvents(120));
      const hour = 3_600_000;
      const buckets = await store.histogram({}, hour);
      assert.equal(
        buckets.reduce((n, b) => n + b.count, 0),
        120,
      );
      assert.equal(
        buckets.reduce((n, b) => n + b.failures, 0),
        20,
      );
      assert.ok(buckets.every((b) => b.start % hour === 0));
      assert.deepEqual(
        buckets.map((b) => b.start),
        [...buckets.map((b) => b.start)].sort((a, b) => a - b),
      );
      assert.equal(
        (await store.histogram({ workload: 'Exchange' }, hour)).reduce((n, b) => n + b.count, 0),
        40,
      );
      await assert.rejects(async () => store.histogram({}, 10), /bucket: must be/);
      assert.deepEqual(await store.timeBounds({ workload: 'SharePoint' }), {
        oldest: NEWEST - 117 * 60_000,
        newest: NEWEST - 3 * 60_000,
      });
      assert.equal(await store.timeBounds({ user: 'nobody' }), undefined);
      const top = await store.topValues({}, 'action', 3);
      assert.equal(top.values.length, 3);
      assert.ok(top.values.every((v) => v.count === 20));
      assert.deepEqual(top, { values: top.values, exact: true, sample: 120, matched: 120 });
      assert.deepEqual((await store.topValues({ tenant: 'contoso' }, 'tenant')).values, [{ value: 'contoso', count: 60 }]);
    } finally {
      await store.close();
    }
  });

  test('per tenant × content type counters and events per minute', async () => {
    const store = await open();
    try {
      const now = Date.parse('2026-11-24T12:30:00Z');
      const events = sampleEvents(60);
      await insert(store, events.slice(0, 30), now - 60_000);
      await insert(store, events.slice(30), now);
      await insert(store, events, now); // duplicates are not counted
      const stats = await store.streamStats(now);
      const aad = stats.find((s) => s.tenantName === 'contoso' && s.contentType === 'Audit.AzureActiveDirectory');
      assert.ok(aad);
      const expected = events.filter((e) => e.tenantName === 'contoso' && e.contentType === 'Audit.AzureActiveDirectory');
      assert.equal(aad.eventsTotal, expected.length);
      assert.equal(aad.newestEventAt, Math.max(...expected.map((e) => e.time)));
      assert.equal(aad.lastInsertAt, now);
      assert.equal(aad.eventsPerMinute, expected.length / 5);
      assert.equal(await store.eventsPerMinute(TENANTS[0].id, 'Audit.AzureActiveDirectory', now), expected.length / 5);
      assert.equal(await store.eventsPerMinute(TENANTS[0].id, 'Audit.AzureActiveDirectory', now + 10 * 60_000), 0);
    } finally {
      await store.close();
    }
  });

  test('query language: fields, wildcards, exists, ranges, AND / OR / NOT, phrases — exact totals', async () => {
    const store = await open();
    const events = withGeo(sampleEvents(240));
    try {
      await insert(store, events);
      const check = async (q: string, predicate: (e: ProcessedEvent) => boolean) => {
        const want = events
          .filter(predicate)
          .map((e) => e.id)
          .sort();
        assert.ok(want.length > 0 && want.length < events.length, `${q}: the sample must split the events`);
        const ids: string[] = [];
        let cursor: string | undefined;
        for (let i = 0; i < 10; i++) {
          const page = await store.searchEvents({ q, limit: 500, ...(cursor ? { cursor } : {}) });
          ids.push(...page.events.map((e) => e.id));
          assert.equal(page.total, want.length, `${q}: exact total`);
          cursor = page.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(ids.sort(), want, q);
      };
      await check('event.outcome:failure', (e) => ecs(e, 'event.outcome') === 'failure');
      await check('event.action:new-inboxrule', (e) => ecs(e, 'event.action') === 'New-InboxRule');
      await check('source.geo.country_iso_code:fr', (e) => ecs(e, 'source.geo.country_iso_code') === 'FR');
      await check('event.category:iam', (e) => (ecs(e, 'event.category') as string[]).includes('iam'));
      await check('user.name:alice', (e) => ecs(e, 'user.name') === 'alice');
      await check('user.email:"mallory@contoso.com"', (e) => ecs(e, 'user.email') === 'mallory@contoso.com');
      await check('source.ip:2001:db8::42', (e) => ecs(e, 'source.ip') === '2001:db8::42');
      await check('office365.record_type:8', (e) => ecs(e, 'office365.record_type') === 8);
      await check('related.ip:198.51.100.23', (e) => ecs(e, 'source.ip') === '198.51.100.23');
      await check('raw.MailboxOwnerUPN:ceo@contoso.com', (e) => e.raw.MailboxOwnerUPN === 'ceo@contoso.com');
      await check('tenant:fabrikam', (e) => e.tenantName === 'fabrikam');
      await check('user.name:mal*', (e) => str(ecs(e, 'user.name')).startsWith('mal'));
      await check('user.email:*backup*', (e) => str(ecs(e, 'user.email')).includes('backup'));
      await check('event.action:*login*', (e) => str(ecs(e, 'event.action')).includes('login'));
      await check('raw.MailboxOwnerUPN:*', (e) => e.raw.MailboxOwnerUPN !== undefined);
      await check('http.response.status_code>=203', (e) => (ecs(e, 'http.response.status_code') as number) >= 203);
      await check('http.response.status_code:{201 TO 203}', (e) => ecs(e, 'http.response.status_code') === 202);
      await check('@timestamp >= now-90m', (e) => e.time >= CONTRACT_NOW - 90 * 60_000);
      await check(`@timestamp:[${new Date(NEWEST - 10 * 60_000).toISOString()} TO ${new Date(NEWEST).toISOString()}}`, (e) => {
        return e.time >= NEWEST - 10 * 60_000 && e.time < NEWEST;
      });
      const old = new Date(NEWEST - 30 * 60_000).toISOString();
      await check(`@timestamp:[* TO ${old}]`, (e) => e.time <= NEWEST - 30 * 60_000);
      const failed = (e: ProcessedEvent) => ecs(e, 'event.outcome') === 'failure';
      const fr = (e: ProcessedEvent) => ecs(e, 'source.geo.country_iso_code') === 'FR';
      await check('event.outcome:failure AND source.geo.country_iso_code:FR', (e) => failed(e) && fr(e));
      await check('event.outcome:failure OR source.geo.country_iso_code:FR', (e) => failed(e) || fr(e));
      await check('-user.name:alice -user.name:bob', (e) => !['alice', 'bob'].includes(ecs(e, 'user.name') as string));
      await check('(user.name:alice OR user.name:bob) AND NOT event.category:(iam OR email)', (e) => {
        const cat = (ecs(e, 'event.category') as string[])[0];
        return ['alice', 'bob'].includes(ecs(e, 'user.name') as string) && cat !== 'iam' && cat !== 'email';
      });
      await check('"failed to log in"', (e) => e.description.includes('failed to log in'));
      await check('payroll alice', (e) => e.description.includes('payroll') && e.description.includes('alice'));
    } finally {
      await store.close();
    }
  });

  test('an event with characters a database may refuse (NUL, a lone surrogate) is stored, not lost', async () => {
    const store = await open();
    try {
      const [plain, odd] = sampleEvents(2);
      const bad = { ...odd!, description: 'mailbox\u0000rule \ud800 forwarded', raw: { ...odd!.raw, Note: 'x\u0000y\udc00' } };
      await insert(store, [plain!, bad]);
      assert.equal(await store.countEvents(), 2);
      const stored = await store.getEvent(bad.id);
      assert.ok(stored, 'the odd event is stored');
      assert.match(String(stored.raw.Note), /^x.?y/u);
      assert.equal((await store.searchEvents({ q: 'forwarded' })).total, 1);
    } finally {
      await store.close();
    }
  });

  test('malformed, hostile or absurd queries are typed errors or plain answers, never a failure of the store', async () => {
    const store = await open();
    try {
      await insert(store, sampleEvents(30));
      const queries = [
        'user.name:"x\'); DROP TABLE o365_events; --"',
        'event.action:"a\' OR 1=1 --"',
        'a AND',
        '(((',
        ')',
        '"unterminated',
        'field:[1 TO',
        '@timestamp >= 99999999999999999999',
        '@timestamp:[now-1.5h TO now+0.0001s]',
        '@timestamp:2026-99-99',
        'http.response.status_code>=1e999',
        'raw.:x',
        'user.name:\\',
        '*',
        '**',
        '?',
        ':',
        'a:b:c',
        'raw.X:[a TO b]',
        'raw.CreationTime:[2026-13-45 TO now]',
        'user.email:%_%',
        `${'('.repeat(40)}a${')'.repeat(40)}`,
        Array.from({ length: 300 }, (_, i) => `w${i}`).join(' OR '),
        'x'.repeat(5000),
        '\u0000',
        'user.name:"a\u0000b"',
        'raw.UserId:"\ud800x"',
        'w'.repeat(3000),
        `"${'long '.repeat(500)}"`,
        `user.name:${'y'.repeat(3000)}*`,
        '\ud800',
        'ümlaut:ö',
        'tenant:*',
        'tenant:con*',
        'event.category:*',
        '@timestamp:*',
        '"" OR ""',
        '-*',
        'NOT NOT NOT a',
      ];
      for (const q of queries) {
        try {
          const page = await store.searchEvents({ q });
          assert.ok(page.total >= 0 && page.total <= 30, q);
          await store.histogram({ q }, 3_600_000);
          await store.topValues({ q }, 'user');
        } catch (err) {
          assert.ok(
            err instanceof QuerySyntaxError || err instanceof StoreQueryError,
            `${JSON.stringify(q)}: ${(err as Error).name}: ${(err as Error).message}`,
          );
        }
      }
      await assert.rejects(async () => store.searchEvents({ from: Number.NaN }), StoreQueryError);
      assert.equal((await store.searchEvents({ from: -1e300, to: 1e300 })).total, 30, 'times beyond any date are open ends');
      assert.equal(
        (await store.searchEvents({ q: 'user.name:"x\'); DROP TABLE o365_events; --"' })).total,
        0,
        'the value was only a value',
      );
      assert.equal((await store.searchEvents({})).total, 30, 'and everything is still there');
      assert.equal((await store.searchEvents({ q: 'tenant:con*' })).total, 15);
      assert.equal((await store.searchEvents({ from: 0.5, to: NEWEST + 0.5 })).total, 30, 'fractional times are fine');
    } finally {
      await store.close();
    }
  });
}
