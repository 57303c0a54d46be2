import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ProcessedEvent } from '../core/processed-event.ts';
import { QuerySyntaxError } from '../query/index.ts';
import { storeSchema } from './config.ts';
import { type EventStore, openEventStore } from './event-store.ts';
import { compileQuery } from './query-sql.ts';
import { sampleEvents } from './testing/sample-events.ts';

const NOW = Date.parse('2026-11-24T12:30:00Z');

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

const events = withGeo(sampleEvents(240));
let store: EventStore;

before(() => {
  store = openEventStore(storeSchema.parse({ path: join(mkdtempSync(join(tmpdir(), 'query-')), 'events.db') }), {
    now: () => NOW,
  });
  store.insertEvents(events);
});
after(() => store.close());

const ecs = (e: ProcessedEvent, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], e.ecs);
const str = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');

/** Every id matching `q`, through the worker pool, across pages. */
async function idsOf(q: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await store.searchEvents({ q, limit: 500, ...(cursor ? { cursor } : {}) });
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return ids.sort();
}

function expected(predicate: (e: ProcessedEvent) => boolean): string[] {
  return events
    .filter(predicate)
    .map((e) => e.id)
    .sort();
}

async function check(q: string, predicate: (e: ProcessedEvent) => boolean): Promise<void> {
  const want = expected(predicate);
  assert.ok(want.length > 0 && want.length < events.length, `${q}: the sample must split the events`);
  assert.deepEqual(await idsOf(q), want, q);
  assert.equal((await store.searchEvents({ q })).total, want.length, `${q}: exact total`);
}

test('field:value on columns and on any ECS field, case-insensitive', async () => {
  await check('event.outcome:failure', (e) => ecs(e, 'event.outcome') === 'failure');
  await check('event.action:new-inboxrule', (e) => ecs(e, 'event.action') === 'New-InboxRule');
  await check('source.geo.country_iso_code:fr', (e) => ecs(e, 'source.geo.country_iso_code') === 'FR');
  await check('event.category:iam', (e) => (ecs(e, 'event.category') as string[]).includes('iam'));
  await check('user.name:alice', (e) => ecs(e, 'user.name') === 'alice');
  await check('user.email:"mallory@contoso.com"', (e) => ecs(e, 'user.email') === 'mallory@contoso.com');
  await check('source.ip:2001:db8::42', (e) => ecs(e, 'source.ip') === '2001:db8::42');
  await check('office365.record_type:8', (e) => ecs(e, 'office365.record_type') === 8);
  await check('raw.MailboxOwnerUPN:ceo@contoso.com', (e) => e.raw.MailboxOwnerUPN === 'ceo@contoso.com');
  await check('tenant:fabrikam', (e) => e.tenantName === 'fabrikam');
  // Fields outside the full-text index are read from the stored documents, arrays of objects included.
  await check('user.id:bob@contoso.com', (e) => ecs(e, 'user.id') === 'bob@contoso.com');
  await check('raw.UserKey:10032007', (e) => e.raw.UserKey === '10032007');
  await check('raw.Parameters.Value:fwd-14', (e) => JSON.stringify(e.raw.Parameters ?? []).includes('"fwd-14"'));
  await check('user.domain:contoso.com AND NOT raw.ResultStatus:true', (e) => e.raw.ResultStatus !== 'True');
});

test('bare words search the full-text fields, not every raw value', async () => {
  // UserKey is not a full-text field: found by name above, not as a bare word.
  assert.equal((await store.searchEvents({ q: '10032007' })).total, 0);
  await check('"Global Administrator"', (e) => e.description.includes('Global Administrator'));
  await check('ceo@contoso.com', (e) => e.raw.MailboxOwnerUPN === 'ceo@contoso.com');
});

test('wildcards, exists, ranges on numbers and times', async () => {
  await check('user.name:mal*', (e) => str(ecs(e, 'user.name')).startsWith('mal'));
  await check('user.email:*backup*', (e) => str(ecs(e, 'user.email')).includes('backup'));
  await check('event.action:*login*', (e) => str(ecs(e, 'event.action')).includes('login'));
  await check('raw.MailboxOwnerUPN:*', (e) => e.raw.MailboxOwnerUPN !== undefined);
  await check('http.response.status_code>=203', (e) => (ecs(e, 'http.response.status_code') as number) >= 203);
  await check('http.response.status_code:[201 TO 202]', (e) => {
    const n = ecs(e, 'http.response.status_code') as number;
    return n >= 201 && n <= 202;
  });
  await check('http.response.status_code:{201 TO 203}', (e) => ecs(e, 'http.response.status_code') === 202);
  const newest = Math.max(...events.map((e) => e.time));
  await check('@timestamp >= now-90m', (e) => e.time >= NOW - 90 * 60_000);
  await check(`@timestamp:[${new Date(newest - 10 * 60_000).toISOString()} TO ${new Date(newest).toISOString()}}`, (e) => {
    return e.time >= newest - 10 * 60_000 && e.time < newest;
  });
});

test('AND / OR / NOT / parentheses / bare words and phrases', async () => {
  const failed = (e: ProcessedEvent) => ecs(e, 'event.outcome') === 'failure';
  const fr = (e: ProcessedEvent) => ecs(e, 'source.geo.country_iso_code') === 'FR';
  await check('event.outcome:failure AND source.geo.country_iso_code:FR', (e) => failed(e) && fr(e));
  await check('event.outcome:failure source.geo.country_iso_code:FR', (e) => failed(e) && fr(e));
  await check('event.outcome:failure OR source.geo.country_iso_code:FR', (e) => failed(e) || fr(e));
  await check('NOT event.outcome:failure AND fr', (e) => !failed(e) && JSON.stringify(e).toLowerCase().includes('"fr"'));
  await check('-user.name:alice -user.name:bob', (e) => !['alice', 'bob'].includes(ecs(e, 'user.name') as string));
  await check('(user.name:alice OR user.name:bob) AND NOT event.category:(iam OR email)', (e) => {
    const cat = (ecs(e, 'event.category') as string[])[0];
    return ['alice', 'bob'].includes(ecs(e, 'user.name') as string) && cat !== 'iam' && cat !== 'email';
  });
  await check('"failed to log in"', (e) => e.description.includes('failed to log in'));
  await check('drop@evil.example', (e) => JSON.stringify(e.raw).includes('drop@evil.example'));
  await check('payroll alice', (e) => e.description.includes('payroll') && e.description.includes('alice'));
  await check('Q3-pay*', (e) => e.description.includes('Q3-payroll'));
});

test('values reach SQL only as parameters', () => {
  const hostile = `user.name:"x'); DROP TABLE events; --" OR event.action:"a' OR 1=1 --"`;
  const compiled = compileQuery(hostile, NOW);
  assert.doesNotMatch(compiled.sql, /DROP|1=1|x'/);
  assert.ok(compiled.params.some((p) => typeof p === 'string' && p.includes('DROP TABLE')));
  assert.ok(compiled.params.includes("a' OR 1=1 --"));
});

test('a bad query or time is a QuerySyntaxError with its position, from the worker too', async () => {
  await assert.rejects(
    store.searchEvents({ q: 'event.outcome:failure AND (' }),
    (err) => err instanceof QuerySyntaxError && err.position === 26,
  );
  await assert.rejects(store.searchEvents({ q: '@timestamp >= yesterday' }), (err) => {
    return err instanceof QuerySyntaxError && err.position === 0 && /needs a time/.test(err.message);
  });
  assert.equal((await store.searchEvents({ q: 'nothing-matches-this-word' })).total, 0);
});

test('facets are exact and say so', async () => {
  const top = await store.topValues({ q: 'event.outcome:failure' }, 'user', 10);
  const failures = events.filter((e) => ecs(e, 'event.outcome') === 'failure');
  assert.equal(top.exact, true);
  assert.equal(top.matched, failures.length);
  assert.equal(
    top.values.reduce((n, v) => n + v.count, 0),
    failures.length,
  );
});
