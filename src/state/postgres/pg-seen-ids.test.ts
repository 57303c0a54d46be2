import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { BatchCommit, StreamKey } from '../state-store.ts';
import { PostgresStateStore } from './postgres-state-store.ts';
import { PG_SCHEMA_VERSION } from './schema.ts';
import { findPostgresBin, POSTGRES_SKIP_REASON, startPostgres, type TestPostgres } from './testing/postgres-server.ts';

const DAY = 86_400_000;
const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';
const guid = (n: number) => `${n.toString(16).padStart(8, '0')}-aaaa-4bbb-8ccc-${n.toString(16).padStart(12, '0')}`;
const ex: StreamKey = { tenantId: T1, contentType: 'Audit.Exchange' };

const commit = (eventIds: string[], seenUntil: number): BatchCommit => ({
  key: ex,
  contentId: 'b',
  delivered: eventIds.length,
  done: false,
  eventIds,
  seenUntil,
  eventsDelivered: eventIds.length,
  positions: {},
  contentCreated: 1,
});

describe('PostgreSQL dedup state', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let databases = 0;
  const opened: PostgresStateStore[] = [];

  async function freshDatabase(): Promise<string> {
    const name = `seen${++databases}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  /** A store leasing the Exchange stream of T1, with blob `b` queued. */
  async function open(url: string, workerId = 'w1'): Promise<PostgresStateStore> {
    const store = await PostgresStateStore.open(url, { workerId, nodeId: workerId, poolSize: 2 });
    opened.push(store);
    await store.registerStream(ex, 'contoso');
    await store.leases.tick();
    await store.enqueueBlobs(ex, [{ contentId: 'b', contentUri: 'https://x/b', contentCreated: 1, expiration: 40 * DAY }], 0);
    return store;
  }

  async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await server?.stop();
  });

  test('same id across batches dropped, tenants kept apart, non-GUID ids, a failed commit remembers nothing', async () => {
    const url = await freshDatabase();
    const store = await open(url);
    const until = Date.now() + 8 * DAY;
    await store.commitBatches([commit([`${T1}:${guid(1)}`, `${T1}:ExchangeItem-42`, `${T1}:${guid(1).toUpperCase()}`], until)]);
    assert.deepEqual(
      await store.filterSeen([`${T1}:${guid(1)}`, `${T2}:${guid(1)}`, `${T1}:ExchangeItem-42`, `${T1}:${guid(2)}`]),
      new Set([`${T1}:${guid(1)}`, `${T1}:ExchangeItem-42`]),
    );
    await assert.rejects(
      store.commitBatches([{ ...commit([`${T2}:${guid(5)}`], until), contentId: 'nope' }]),
      /not in the queue/,
    );
    assert.equal((await store.filterSeen([`${T2}:${guid(5)}`])).size, 0);
    await store.commitBatches([commit([`${T2}:${guid(1)}`, `${T1}:${guid(1)}`], until)]);
    assert.deepEqual(await store.filterSeen([`${T2}:${guid(1)}`, `${T2}:${guid(2)}`]), new Set([`${T2}:${guid(1)}`]));
    const other = await PostgresStateStore.open(url, { workerId: 'w2', nodeId: 'w2', poolSize: 1 });
    opened.push(other);
    assert.equal((await other.filterSeen([`${T1}:${guid(1)}`])).size, 1, 'ids are shared by every worker');
    const [stored] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM o365_seen_ids');
    assert.equal(stored?.n, 4, 'one row per distinct tenant × id');
  });

  test('expiry drops whole day partitions, never before the day has passed', async () => {
    const url = await freshDatabase();
    const store = await open(url);
    const day0 = 20_000 * DAY;
    await store.commitBatches([commit([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`], day0 + 5_000)]);
    await store.commitBatches([commit([`${T1}:${guid(3)}`], day0 + DAY + 5_000)]);
    assert.equal((await store.prune(day0 + 5_001)).events, 0);
    assert.equal((await store.filterSeen([`${T1}:${guid(1)}`])).size, 1);
    assert.equal((await store.prune(day0 + DAY)).events, 2);
    assert.deepEqual(await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(3)}`]), new Set([`${T1}:${guid(3)}`]));
    const partitions = await sql<{ name: string }>(
      url,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'o365_seen_ids'::regclass`,
    );
    assert.deepEqual(
      partitions.map((p) => p.name),
      [`o365_seen_ids_${20_001}`],
    );
    await store.commitBatches([commit([`${T1}:${guid(4)}`], day0 + 5_000)]);
    assert.equal((await store.filterSeen([`${T1}:${guid(4)}`])).size, 1, 'a dropped day is created again when needed');
  });

  test('a schema-1 database keeps its text seen ids until they expire, then the old table is dropped', async () => {
    const url = await freshDatabase();
    const now = Date.now();
    // o365_seen_events and the version row exactly as schema 1 created them.
    await sql(
      url,
      `CREATE TABLE o365_schema (version INTEGER NOT NULL); INSERT INTO o365_schema VALUES (1);
       CREATE TABLE o365_seen_events (id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);
       CREATE INDEX o365_seen_events_expiry ON o365_seen_events (expires_at);`,
    );
    await sql(url, 'INSERT INTO o365_seen_events VALUES ($1, $2), ($3, $4)', [
      `${T1}:${guid(1)}`,
      now + DAY,
      `${T1}:${guid(2)}`,
      now + 3 * DAY,
    ]);
    const store = await open(url);
    assert.deepEqual(await sql(url, 'SELECT version FROM o365_schema'), [{ version: PG_SCHEMA_VERSION }]);
    await store.commitBatches([commit([`${T1}:${guid(3)}`], now + 8 * DAY)]);
    assert.deepEqual(
      await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:${guid(3)}`, `${T1}:${guid(4)}`]),
      new Set([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`, `${T1}:${guid(3)}`]),
    );
    assert.equal((await store.prune(now + DAY)).events, 1);
    assert.deepEqual(await store.filterSeen([`${T1}:${guid(1)}`, `${T1}:${guid(2)}`]), new Set([`${T1}:${guid(2)}`]));
    assert.equal((await store.prune(now + 4 * DAY)).events, 1);
    assert.deepEqual(await sql(url, `SELECT to_regclass('o365_seen_events') IS NULL AS gone`), [{ gone: true }]);
    assert.deepEqual(await store.filterSeen([`${T1}:${guid(2)}`, `${T1}:${guid(3)}`]), new Set([`${T1}:${guid(3)}`]));
  });
});
