import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../../state/postgres/testing/postgres-server.ts';
import { storeSchema } from '../config.ts';
import type { EventStore } from '../event-store.ts';
import { QueryCancelledError } from '../query-pool.ts';
import { CONTRACT_NOW, eventStoreContract } from '../testing/event-store-contract.ts';
import { sampleAlert, sampleEvents } from '../testing/sample-events.ts';
import { MAX_QUEUED_EVENTS } from './event-writer.ts';
import { partitionName } from './partitions.ts';
import { openPostgresEventStore } from './postgres-event-store.ts';

const DAY = 86_400_000;

describe('the PostgreSQL event store', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let admin: pg.Client;
  let databases = 0;

  before(async () => {
    server = await startPostgres();
    admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await server?.stop();
  });

  /** A fresh database for each store: the tests never see each other's events. */
  async function freshDatabase(): Promise<string> {
    const name = `store_${++databases}`;
    await admin.query(`CREATE DATABASE ${name}`);
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  async function open(overrides: Record<string, unknown> = {}, url?: string): Promise<EventStore> {
    return openPostgresEventStore(url ?? (await freshDatabase()), storeSchema.parse(overrides), { now: () => CONTRACT_NOW });
  }

  describe('keeps the store contract', () => {
    eventStoreContract((overrides) => open(overrides));
  });

  test('events are kept in one partition per day, created ahead; retention drops whole days only', async () => {
    const url = await freshDatabase();
    const store = await open({ retention: '2d' }, url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const now = Date.parse('2026-11-24T12:00:00Z');
      // Five days of events, 24 a day (one an hour), the newest at `now`.
      const events = sampleEvents(120, now, 3_600_000);
      store.insertEvents(events, now);
      store.insertAlerts([
        sampleAlert([events[0]!], { id: 'recent' }),
        sampleAlert([events[100]!], { id: 'old', time: events[100]!.time }),
      ]);
      await store.flush();
      const partitions = async () => {
        const { rows } = await db.query<{ name: string; bound: string }>(
          `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
           JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'o365_events'::regclass ORDER BY 1`,
        );
        return rows;
      };
      const dayNames = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => partitionName(Math.floor(now / DAY) + from + i));
      const created = (await partitions()).map((p) => p.name);
      for (const name of dayNames(-4, 0)) assert.ok(created.includes(name), `${name} holds events`);
      const today = (await partitions()).find((p) => p.name === partitionName(Math.floor(now / DAY)));
      assert.equal(
        today?.bound,
        `FOR VALUES FROM ('${Math.floor(now / DAY) * DAY}') TO ('${(Math.floor(now / DAY) + 1) * DAY}')`,
        'a partition is one UTC day of event time',
      );
      const inToday = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${partitionName(Math.floor(now / DAY))}`);
      assert.equal(inToday.rows[0]?.n, 13, '00:00 to 12:00 of today');

      const result = await store.applyRetention(now);
      const left = (await partitions()).map((p) => p.name);
      // The cutoff (now - 2 days) falls inside day -2: days -4 and -3 are gone, day -2 stays whole.
      for (const name of dayNames(-4, -3)) assert.ok(!left.includes(name), `${name} dropped`);
      for (const name of dayNames(-2, 2)) assert.ok(left.includes(name), `${name} kept (or created ahead)`);
      const expectedDeleted = events.filter((e) => e.time < (Math.floor(now / DAY) - 2) * DAY).length;
      assert.equal(result.deletedEvents, expectedDeleted);
      assert.equal(result.deletedAlerts, 1);
      assert.equal(await store.countEvents(), events.length - expectedDeleted);
      assert.equal((await store.searchEvents({ limit: 500 })).total, events.length - expectedDeleted);
      assert.deepEqual(
        (await store.listAlerts({})).alerts.map((a) => a.id),
        ['recent'],
      );
      const oldest = (await store.timeBounds({}))?.oldest ?? 0;
      assert.ok(oldest >= (Math.floor(now / DAY) - 2) * DAY && oldest < now - 2 * DAY, 'the day of the cutoff is kept whole');

      // An event arriving late for a dropped day gets its partition again.
      store.insertEvents([{ ...events[110]!, id: 'late:1' }], now);
      await store.flush();
      assert.ok((await partitions()).some((p) => p.name === partitionName(Math.floor(events[110]!.time / DAY))));
      assert.equal((await store.getEvent('late:1'))?.id, 'late:1');
    } finally {
      await db.end();
      await store.close();
    }
  });

  test('a store of the first layout (ECS and raw as two JSONB documents) is set aside, renamed whole, and a new one starts', async () => {
    const url = await freshDatabase();
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    const now = Date.parse('2026-11-24T12:00:00Z');
    const day = partitionName(Math.floor(now / DAY));
    try {
      // The first layout, as its migration created it (the columns that matter here, its names and indexes).
      await db.query(`CREATE TABLE o365_events (id TEXT NOT NULL, time BIGINT NOT NULL, ecs JSONB, raw JSONB,
          search TSVECTOR, PRIMARY KEY (id, time)) PARTITION BY RANGE (time);
        CREATE INDEX o365_events_search ON o365_events USING GIN (search);
        CREATE INDEX o365_events_time ON o365_events (time);
        CREATE TABLE ${day} PARTITION OF o365_events FOR VALUES FROM (${Math.floor(now / DAY) * DAY}) TO (${(Math.floor(now / DAY) + 1) * DAY});
        INSERT INTO o365_events VALUES ('old:1', ${now}, '{}', '{}', to_tsvector('simple', 'old'));
        CREATE TABLE o365_event_days (day INTEGER PRIMARY KEY, events BIGINT NOT NULL);
        INSERT INTO o365_event_days VALUES (${Math.floor(now / DAY)}, 1);`);
      const store = await open({}, url);
      try {
        const events = sampleEvents(20, now);
        store.insertEvents(events, now);
        await store.flush();
        assert.equal(await store.countEvents(), 20, 'the old count is not the new store’s');
        assert.equal((await store.searchEvents({ q: 'old' })).total, 0);
        assert.equal((await store.getEvent(events[0]!.id))?.raw.Id, events[0]!.raw.Id);
        const old = await db.query<{ id: string }>(`SELECT id FROM o365_events_format1_${day.slice('o365_events_'.length)}`);
        assert.deepEqual(
          old.rows.map((r) => r.id),
          ['old:1'],
          'the old events are kept, renamed',
        );
        const names = (
          await db.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relname LIKE 'o365_events_format1%'`)
        ).rows.map((r) => r.name);
        for (const name of [
          'o365_events_format1',
          'o365_events_format1_search',
          'o365_events_format1_time',
          'o365_events_format1_pkey',
        ])
          assert.ok(names.includes(name), `${name} in ${names}`);
        assert.equal((await db.query(`SELECT * FROM o365_event_days_format1`)).rows.length, 1);
      } finally {
        await store.close();
      }
      // Opened again, the store is the new layout: nothing more is set aside.
      const again = await open({}, url);
      assert.equal(await again.countEvents(), 20);
      await again.close();
    } finally {
      await db.end();
    }
  });

  test('the row cap drops the oldest days first and never the newest', async () => {
    const url = await freshDatabase();
    const store = await open({ retention: '30d', max_events: 1000 }, url);
    try {
      const now = Date.parse('2026-11-24T23:00:00Z');
      // 1500 events over about 4 days (one every 4 minutes).
      store.insertEvents(sampleEvents(1500, now, 240_000), now);
      await store.flush();
      const result = await store.applyRetention(now);
      const count = await store.countEvents();
      assert.ok(count <= 1000 && count > 0, `${count} events left`);
      assert.equal(result.deletedEvents, 1500 - count);
      const bounds = await store.timeBounds({});
      assert.equal(bounds?.newest, now);
      assert.equal(bounds?.oldest, Math.floor(bounds!.oldest / DAY) * DAY, 'what is left starts at a day boundary');
    } finally {
      await store.close();
    }
  });

  test('the live tail never steps over the row of a transaction that commits late (another worker)', async () => {
    const url = await freshDatabase();
    const store = await open({}, url);
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    try {
      const [first, fast] = sampleEvents(2);
      store.insertEvents([first!]);
      await store.flush();
      const start = (await store.tailEvents({}, undefined)).cursor;
      // Another writer inserts a row (its sequence number comes first) and commits late.
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO o365_events (id, time, tenant_id, tenant_name, content_type, ingested_at, description, doc, search)
        SELECT 'slow:1', time, tenant_id, tenant_name, content_type, ingested_at, description, doc, search FROM o365_events`);
      store.insertEvents([fast!]);
      await store.flush();
      const meanwhile = await store.tailEvents({}, start);
      assert.deepEqual(meanwhile.events, [], 'nothing is read past a transaction still open');
      await slow.query('COMMIT');
      const after = await store.tailEvents({}, meanwhile.cursor);
      assert.deepEqual(
        after.events.map((e) => e.id),
        ['slow:1', fast!.id],
        'both, in the order they were written',
      );
      assert.deepEqual((await store.tailEvents({}, after.cursor)).events, []);
    } finally {
      await slow.end();
      await store.close();
    }
  });

  test('two workers share one database: each sees both tenants, alerts and counters', async () => {
    const url = await freshDatabase();
    const first = await open({}, url);
    const second = await open({}, url);
    try {
      const events = sampleEvents(40);
      first.insertEvents(events.filter((e) => e.tenantName === 'contoso'));
      second.insertEvents(events.filter((e) => e.tenantName === 'fabrikam'));
      second.insertAlerts([sampleAlert(events.filter((e) => e.tenantName === 'fabrikam').slice(0, 2), { id: 'fab' })]);
      await Promise.all([first.flush(), second.flush()]);
      for (const store of [first, second]) {
        assert.equal((await store.searchEvents({})).total, 40);
        assert.deepEqual((await store.topValues({}, 'tenant')).values.map((v) => v.value).sort(), ['contoso', 'fabrikam']);
        assert.deepEqual(
          (await store.listAlerts({})).alerts.map((a) => a.id),
          ['fab'],
        );
        assert.deepEqual(new Set((await store.streamStats()).map((s) => s.tenantName)), new Set(['contoso', 'fabrikam']));
      }
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('inserts never wait on the database; a write that fails is retried and flush reports it', async () => {
    const url = await freshDatabase();
    const store = await open({}, url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      // Writes fail while the table is locked by another session (lock_timeout makes the failure quick).
      await db.query(`ALTER DATABASE ${url.split('/').at(-1)} SET lock_timeout = '200ms'`);
      const store2 = await open({}, url);
      await db.query('BEGIN');
      await db.query('LOCK TABLE o365_stream_totals IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      store2.insertEvents(sampleEvents(10));
      assert.ok(Date.now() - started < 50, 'insertEvents only queues');
      await assert.rejects(store2.flush(), /storing events in PostgreSQL failed/);
      // While writes fail, the queue is bounded: a batch beyond it is refused (the pipeline delivers it again later).
      assert.throws(() => store2.insertEvents(sampleEvents(MAX_QUEUED_EVENTS, Date.now())), /PostgreSQL is not keeping up/);
      await db.query('ROLLBACK');
      await store2.flush();
      assert.equal(await store2.countEvents(), 10, 'the queued events were written by the retry');
      await store2.close();
    } finally {
      await db.end();
      await store.close();
    }
  });

  test('a search past its time limit, or whose client went away, is stopped on the server', async () => {
    const url = await freshDatabase();
    const store = await open({ query_timeout: '300ms' }, url);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      store.insertEvents(sampleEvents(10));
      await store.flush();
      // Many copies of the rows, written straight in SQL (fast), make a slow document search.
      await db.query(`INSERT INTO o365_events (id, time, tenant_id, tenant_name, content_type, ingested_at, description, doc, search)
        SELECT e.id || ':' || g, e.time, e.tenant_id, e.tenant_name, e.content_type, e.ingested_at, e.description, e.doc, e.search
        FROM o365_events e, generate_series(1, 20000) g`);
      const slow = Array.from({ length: 40 }, (_, i) => `raw.F${i}:*x*`).join(' OR ');
      await assert.rejects(store.searchEvents({ q: slow }), (err) => err instanceof QueryCancelledError && err.timedOut);
      const patient = await open({ query_timeout: '60s' }, url);
      const controller = new AbortController();
      const search = patient.searchEvents({ q: slow }, { signal: controller.signal });
      for (let i = 0; i < 100 && patient.runningSearches() === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(patient.runningSearches(), 1, 'the slow search is running');
      controller.abort();
      await assert.rejects(search, (err) => err instanceof QueryCancelledError && !err.timedOut);
      assert.equal(patient.runningSearches(), 0);
      const running = async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%jsonb_path_query%' AND state = 'active'
             AND pid <> pg_backend_pid()`,
          )
        ).rows[0]?.n;
      for (let i = 0; i < 50 && (await running()) !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await running(), 0, 'nothing left running on the server');
      await patient.close();
    } finally {
      await db.end();
      await store.close();
    }
  });
});
