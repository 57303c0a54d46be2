import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStateStore } from './sqlite-state-store.ts';
import { bucketOf, dedupKeyOf, recordIdKey } from './dedup-key.ts';
import { SCHEMA_VERSION } from './sqlite-schema.ts';
import { STAGE_MAX } from './sqlite-seen-ids.ts';
import type { BatchCommit } from './state-store.ts';

const DAY = 86_400_000;
const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';
const key = { tenantId: T1, contentType: 'Audit.Exchange' };
const tempFile = () => join(mkdtempSync(join(tmpdir(), 'seen-')), 'state.db');
const guid = (n: number) => `${n.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, '0')}`;

async function storeWithBlob(path = ':memory:'): Promise<SqliteStateStore> {
  const store = new SqliteStateStore(path);
  await store.enqueueBlobs(key, [{ contentId: 'b', contentUri: 'https://x/b', contentCreated: 1, expiration: 30 * DAY }], 0);
  return store;
}

const commit = (eventIds: string[], seenUntil: number): BatchCommit => ({
  key,
  contentId: 'b',
  delivered: eventIds.length,
  done: false,
  eventIds,
  seenUntil,
  eventsDelivered: eventIds.length,
  positions: {},
  contentCreated: 1,
});

test('record ids become 16-byte keys: GUIDs by their bytes, anything else by a truncated SHA-256', () => {
  assert.equal(recordIdKey(guid(1)).toString('hex'), '00000001aaaa4bbb8ccc000000000001');
  assert.equal(recordIdKey('not-a-guid').length, 16);
  assert.notDeepEqual(recordIdKey(guid(1).toUpperCase()), recordIdKey(guid(1)), 'two spellings stay two ids, as before');
  assert.notDeepEqual(recordIdKey('a'), recordIdKey('b'));
  const sha = (id: string) => createHash('sha256').update(id).digest().subarray(0, 16);
  for (const almost of [
    `${guid(1).slice(0, 35)}g`,
    guid(1).replace('-', '0'),
    `${guid(1)}0`,
    `é${guid(1).slice(1)}`,
    '0'.repeat(36),
  ])
    assert.deepEqual(recordIdKey(almost), sha(almost), `${almost} is not a lowercase GUID: hashed`);
  assert.deepEqual(dedupKeyOf(`${T1}:${guid(7)}`), { tenant: T1, id: recordIdKey(guid(7)) });
  assert.deepEqual(dedupKeyOf('label:with:colons'), { tenant: 'label', id: recordIdKey('with:colons') });
});

test('an id delivered in one batch is seen in the next; the same record Id of another tenant is not', async () => {
  const store = await storeWithBlob();
  const until = Date.now() + 8 * DAY;
  await store.commitBatches([commit([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:ExchangeItem-42`], until)]);
  assert.deepEqual(
    await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(3)}`, `${T2}:${guid(1)}`, `${T1}:ExchangeItem-42`, `${T1}:x`]),
    new Set([`${T1}:${guid(1)}`, `${T1}:ExchangeItem-42`]),
  );
  await store.commitBatches([commit([`${T2}:${guid(1)}`], until)]);
  assert.deepEqual(await store.filterSeen([`${T2}:${guid(1)}`, `${T2}:${guid(2)}`]), new Set([`${T2}:${guid(1)}`]));
  await store.close();
});

test('ids expire by whole day: kept until the end of their expiry day, dropped with it, later days untouched', async () => {
  const store = await storeWithBlob();
  const day0 = 20_000 * DAY;
  await store.commitBatches([commit([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`], day0 + 5_000)]);
  await store.commitBatches([commit([`${T1}:${guid(3)}`], day0 + DAY + 5_000)]);
  assert.deepEqual(await store.prune(day0 + 5_001), { blobs: 0, events: 0 }, 'an id is never forgotten before its time');
  assert.equal((await store.filterSeen([`${T1}:${guid(1)}`])).size, 1);
  assert.deepEqual(await store.prune(day0 + DAY), { blobs: 0, events: 2 });
  assert.deepEqual(
    await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:${guid(3)}`]),
    new Set([`${T1}:${guid(3)}`]),
  );
  assert.deepEqual(await store.prune(day0 + 2 * DAY), { blobs: 0, events: 1 });
  assert.equal((await store.filterSeen([`${T1}:${guid(3)}`])).size, 0);
  // A day dropped can come back (a late batch remembered until then) and works again.
  await store.commitBatches([commit([`${T1}:${guid(4)}`], day0 + 3 * DAY)]);
  assert.equal((await store.filterSeen([`${T1}:${guid(4)}`])).size, 1);
  await store.close();
});

test('a failed commit remembers no id, and the tenant numbering survives it and a reopen', async () => {
  const path = tempFile();
  const store = await storeWithBlob(path);
  const until = Date.now() + 8 * DAY;
  await assert.rejects(
    store.commitBatches([{ ...commit([`${T2}:${guid(9)}`], until), contentId: 'missing' }]),
    /not in the queue/,
  );
  assert.equal((await store.filterSeen([`${T2}:${guid(9)}`])).size, 0);
  await store.commitBatches([commit([`${T1}:${guid(1)}`], until)]);
  await store.commitBatches([commit([`${T2}:${guid(2)}`], until)]);
  await store.close();
  const reopened = new SqliteStateStore(path);
  assert.deepEqual(
    await reopened.filterSeen([`${T1}:${guid(1)}`, `${T2}:${guid(1)}`, `${T2}:${guid(2)}`, `${T1}:${guid(2)}`]),
    new Set([`${T1}:${guid(1)}`, `${T2}:${guid(2)}`]),
  );
  await reopened.close();
});

test('a schema-1 state file keeps its text seen_events: read until they expire, then the table is dropped', async () => {
  const path = tempFile();
  const now = Date.now();
  const old = new Database(path);
  // The seen_events table and the queue index exactly as schema 1 created them.
  old.exec(`CREATE TABLE seen_events (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX seen_events_expiry ON seen_events (expires_at);
            CREATE TABLE blobs (tenant_id TEXT NOT NULL, content_type TEXT NOT NULL, content_id TEXT NOT NULL,
              content_uri TEXT NOT NULL, content_created INTEGER NOT NULL, expiration INTEGER NOT NULL,
              state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
              delivered INTEGER NOT NULL DEFAULT 0, last_error TEXT, PRIMARY KEY (tenant_id, content_type, content_id)) WITHOUT ROWID;
            CREATE INDEX blobs_due ON blobs (tenant_id, content_type, state, next_attempt_at);`);
  const insert = old.prepare('INSERT INTO seen_events (id, expires_at) VALUES (?, ?)');
  insert.run(`${T1}:${guid(1)}`, now + DAY);
  insert.run(`${T1}:${guid(2)}`, now + 3 * DAY);
  old.pragma('user_version = 1');
  old.close();

  const store = await storeWithBlob(path);
  await store.commitBatches([commit([`${T1}:${guid(3)}`], now + 8 * DAY)]);
  assert.deepEqual(
    await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:${guid(3)}`, `${T1}:${guid(4)}`]),
    new Set([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:${guid(3)}`]),
  );
  assert.equal((await store.prune(now + DAY)).events, 1);
  assert.deepEqual(await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`]), new Set([`${T1}:${guid(2)}`]));
  assert.equal((await store.prune(now + 4 * DAY)).events, 1);
  await store.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'seen_events'`).get(), undefined, 'the old table is gone');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.deepEqual(
    db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'blobs' AND sql IS NOT NULL ORDER BY name`)
      .pluck()
      .all(),
    ['blobs_expiration', 'blobs_waiting'],
    'the queue index of waiting blobs replaced the schema-1 one',
  );
  const plan = db
    .prepare(
      `EXPLAIN QUERY PLAN SELECT * FROM blobs WHERE tenant_id = ? AND content_type = ? AND state IN ('pending', 'quarantined')
       AND next_attempt_at <= ? ORDER BY state, content_created, content_id LIMIT ?`,
    )
    .all('t', 'c', 0, 1) as { detail: string }[];
  assert.deepEqual(
    plan.map((p) => p.detail),
    ['SEARCH blobs USING INDEX blobs_waiting (tenant_id=? AND content_type=? AND state=?)'],
    'due blobs come in index order, the backlog is not sorted',
  );
  db.close();
  const reopened = new SqliteStateStore(path);
  assert.deepEqual(await reopened.filterSeen([`${T1}:${guid(2)}`, `${T1}:${guid(3)}`]), new Set([`${T1}:${guid(3)}`]));
  await reopened.close();
});

test('a seen id costs under 32 bytes of state file (several stage merges: the stage reuses its freed pages)', async () => {
  const path = tempFile();
  const store = await storeWithBlob(path);
  const until = Date.now() + 8 * DAY;
  const ids = Array.from({ length: 4 * STAGE_MAX }, () => `${T1}:${randomUUID()}`);
  for (let i = 0; i < ids.length; i += 500) await store.commitBatches([commit(ids.slice(i, i + 500), until)]);
  await store.close(); // checkpoints the WAL into the file
  const bytesPerId = statSync(path).size / ids.length;
  assert.ok(bytesPerId < 32, `${bytesPerId.toFixed(1)} bytes per id`);
});

test('staged ids: seen at once, kept across a restart, merged into their day table once STAGE_MAX wait (still seen)', async () => {
  const path = tempFile();
  const until = Date.now() + 8 * DAY;
  const ids = Array.from({ length: STAGE_MAX + 500 }, () => `${T1}:${randomUUID()}`);
  const rows = (db: Database.Database, table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  let store = await storeWithBlob(path);
  await store.commitBatches([commit(ids.slice(0, 1000), until), commit(ids.slice(1000, 2000), until)]);
  assert.equal((await store.filterSeen(ids.slice(0, 3000))).size, 2000, 'seen as soon as committed');
  await store.close();
  let db = new Database(path, { readonly: true });
  assert.equal(rows(db, 'seen_stage'), 2000, 'staged in the state file');
  assert.equal(rows(db, `seen_ids_${bucketOf(until)}`), 0, 'not merged yet');
  db.close();
  store = new SqliteStateStore(path);
  assert.equal((await store.filterSeen(ids.slice(0, 3000))).size, 2000, 'seen after a restart');
  for (let i = 2000; i < ids.length; i += 500) await store.commitBatches([commit(ids.slice(i, i + 500), until)]);
  assert.equal((await store.filterSeen(ids)).size, ids.length, 'every id seen, merged or staged');
  await store.close();
  db = new Database(path, { readonly: true });
  assert.equal(rows(db, 'seen_stage'), 500, 'the stage was merged at STAGE_MAX, only the last commit waits');
  assert.equal(rows(db, `seen_ids_${bucketOf(until)}`), STAGE_MAX);
  assert.equal((db.prepare('SELECT ids FROM seen_buckets WHERE day = ?').get(bucketOf(until)) as { ids: number }).ids, STAGE_MAX);
  db.close();
});

test('once the day tables are big, a merged stage waits in seen_recent (seen, kept across a restart) and is merged into its day before the day is dropped', async () => {
  const path = tempFile();
  const until = Date.now() + 8 * DAY;
  const day = bucketOf(until);
  const rows = (db: Database.Database, table: string) =>
    (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  let store = await storeWithBlob(path);
  const first = Array.from({ length: STAGE_MAX }, () => `${T1}:${randomUUID()}`);
  for (let i = 0; i < first.length; i += 5000) await store.commitBatches([commit(first.slice(i, i + 5000), until)]);
  await store.close();
  // Grow the day table to 9 × STAGE_MAX ids (random keys of the same tenant), as a long backfill would.
  let db = new Database(path);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO seen_ids_${day} (tenant_no, id) SELECT (SELECT tenant_no FROM dedup_tenants), randomblob(16) FROM n`,
  ).run(8 * STAGE_MAX);
  db.prepare('UPDATE seen_buckets SET ids = ids + ? WHERE day = ?').run(8 * STAGE_MAX, day);
  db.close();
  store = new SqliteStateStore(path);
  const next = Array.from({ length: STAGE_MAX + 1000 }, () => `${T1}:${randomUUID()}`);
  for (let i = 0; i < next.length; i += 5000) await store.commitBatches([commit(next.slice(i, i + 5000), until)]);
  assert.equal((await store.filterSeen([...first, ...next])).size, first.length + next.length, 'every id seen');
  await store.close();
  db = new Database(path, { readonly: true });
  assert.equal(rows(db, 'seen_recent'), STAGE_MAX, 'the full stage went to seen_recent: an eighth of the day table not reached');
  assert.equal(rows(db, 'seen_stage'), 1000);
  assert.equal(rows(db, `seen_ids_${day}`), 9 * STAGE_MAX, 'the day table was not rewritten');
  db.close();
  store = new SqliteStateStore(path);
  assert.equal((await store.filterSeen(next)).size, next.length, 'seen after a restart');
  const fresh = `${T1}:${randomUUID()}`;
  assert.equal((await store.filterSeen([fresh])).size, 0);
  assert.deepEqual(await store.prune((day + 1) * DAY), { blobs: 0, events: 9 * STAGE_MAX + next.length }, 'every level counted');
  assert.equal((await store.filterSeen([...first, ...next])).size, 0, 'dropped with their day');
  await store.close();
  db = new Database(path, { readonly: true });
  assert.equal(rows(db, 'seen_recent') + rows(db, 'seen_stage'), 0);
  db.close();
});
