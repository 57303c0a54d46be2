// The PostgreSQL event store against the SQLite one on the same events (realistic processed events, batches of 500,
// 7 days of event time): insert rate and the collecting process's CPU per event (PostgreSQL: insertEvents + flush
// per batch, as a checkpoint waits for it; and the server's CPU, bench/support/postgres-cpu.ts), bytes on disk per
// event with where they are (table, TOAST, each index), then the page's searches on both, median of 3.
// Three insert runs each (fresh store every run) on a throwaway local PostgreSQL cluster (fsync off, as in the tests:
// figures are the store's own cost, not the disk's). Usage: PGSTORE_BENCH_EVENTS=1000000 node --import tsx bench/pgstore.bench.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { ProcessedEvent } from '../src/core/processed-event.ts';
import { startPostgres } from '../src/state/postgres/testing/postgres-server.ts';
import { storeSchema } from '../src/store/config.ts';
import type { EventStore } from '../src/store/event-store.ts';
import { openEventStore } from '../src/store/event-store.ts';
import { openPostgresEventStore } from '../src/store/postgres/postgres-event-store.ts';
import { eventAt, eventTemplates } from './support/generated-events.ts';
import { postgresCpuMicros } from './support/postgres-cpu.ts';

const TOTAL = Number(process.env.PGSTORE_BENCH_EVENTS ?? 100_000);
const RUNS = 3;
const BATCH = 500;
const SPAN_MS = 7 * 86_400_000;
const NOW = Date.parse('2026-11-24T12:00:00Z');

const templates = eventTemplates(2000);
const batchAt = (start: number, size: number): ProcessedEvent[] =>
  Array.from({ length: size }, (_, i) =>
    eventAt(templates[(start + i) % templates.length]!, start + i, NOW - SPAN_MS + Math.floor(((start + i) * SPAN_MS) / TOTAL)),
  );
const batches = Array.from({ length: Math.ceil(TOTAL / BATCH) }, (_, i) =>
  batchAt(i * BATCH, Math.min(BATCH, TOTAL - i * BATCH)),
);

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface InsertRun {
  eventsPerSecond: number;
  cpuMicrosPerEvent: number;
  /** PostgreSQL only: the server's CPU (all its processes). */
  serverMicrosPerEvent?: number;
}

async function insertAll(store: EventStore, serverCpu?: () => Promise<number>): Promise<InsertRun> {
  const server = await serverCpu?.();
  const cpu = cpuMicros();
  const start = performance.now();
  for (const batch of batches) {
    store.insertEvents(batch, NOW);
    await store.flush();
  }
  const seconds = (performance.now() - start) / 1000;
  const run = { eventsPerSecond: TOTAL / seconds, cpuMicrosPerEvent: (cpuMicros() - cpu) / TOTAL };
  return serverCpu && server !== undefined ? { ...run, serverMicrosPerEvent: ((await serverCpu()) - server) / TOTAL } : run;
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    await fn();
    runs.push(performance.now() - start);
  }
  return runs.sort((a, b) => a - b)[1]!;
}

const SEARCHES: [string, (s: EventStore) => Promise<unknown>][] = [
  ['page, no filter', (s) => s.searchEvents({ limit: 50 })],
  ['page, outcome=failure', (s) => s.searchEvents({ outcome: 'failure', limit: 50 })],
  ['page, q=event.outcome:failure AND user.name:a*', (s) => s.searchEvents({ q: 'event.outcome:failure AND user.name:a*' })],
  ['full text, one word', (s) => s.searchEvents({ q: 'mailbox' })],
  ['histogram, 1 h buckets', (s) => s.histogram({}, 3_600_000)],
  ['top users', (s) => s.topValues({}, 'user', 10)],
];

/** The columns that weigh (the others are a few bytes each). */
const COLUMN_SIZES = ['id', 'description', 'doc', 'search'].map((c) => `avg(pg_column_size(${c})) AS ${c}`).join(', ');

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[1]!.toFixed(0)} (${sorted[0]!.toFixed(0)}–${sorted.at(-1)!.toFixed(0)})`;
};
const spread1 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${sorted[1]!.toFixed(1)} (${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)})`;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pgstore-bench-'));
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const config = storeSchema.parse({ retention: '3650d', max_events: 100_000_000, max_size_mb: 1_000_000 });
  const sqliteRuns: InsertRun[] = [];
  const pgRuns: InsertRun[] = [];
  let sqliteBytes = 0;
  let pgBytes = 0;
  let pgSpace: { part: string; bytes: number }[] = [];
  let pgColumns: Record<string, string> = {};
  const searchMs = new Map<string, { sqlite: number; postgres: number }>();
  try {
    for (let run = 0; run < RUNS; run++) {
      const path = join(dir, `events-${run}.db`);
      const sqlite = openEventStore({ ...config, path });
      sqliteRuns.push(await insertAll(sqlite));
      const url = server.url.replace(/\/postgres$/, `/bench_${run}`);
      await admin.query(`CREATE DATABASE bench_${run}`);
      const postgres = await openPostgresEventStore(url, config, { now: () => NOW });
      pgRuns.push(await insertAll(postgres, () => postgresCpuMicros(admin)));
      if (run === RUNS - 1) {
        sqliteBytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
        const db = new pg.Client({ connectionString: url });
        await db.connect();
        await db.query('VACUUM ANALYZE');
        const { rows } = await db.query<{ bytes: string }>(
          `SELECT sum(pg_total_relation_size(c.oid)) AS bytes FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'o365_events'::regclass`,
        );
        pgBytes = Number(rows[0]?.bytes ?? 0);
        pgSpace = (
          await db.query<{ part: string; bytes: string }>(
            `SELECT 'table (heap)' AS part, sum(pg_relation_size(c.oid)) AS bytes FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'o365_events'::regclass
             UNION ALL
             SELECT 'TOAST (with its index)', sum(pg_total_relation_size(c.reltoastrelid)) FROM pg_inherits i
               JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'o365_events'::regclass AND c.reltoastrelid <> 0
             UNION ALL
             SELECT * FROM (SELECT 'index ' || pg_get_indexdef(p.indexrelid, 0, true) AS part, sum(pg_relation_size(x.indexrelid))
               FROM pg_inherits i JOIN pg_index x ON x.indrelid = i.inhrelid
               JOIN pg_inherits pi ON pi.inhrelid = x.indexrelid JOIN pg_index p ON p.indexrelid = pi.inhparent
               WHERE i.inhparent = 'o365_events'::regclass GROUP BY 1 ORDER BY 2 DESC) s`,
          )
        ).rows.map((r) => ({
          part: r.part.replace(/^index CREATE (UNIQUE )?INDEX /, 'index ').replace(/ ON (ONLY )?o365_events USING/, ''),
          bytes: Number(r.bytes ?? 0),
        }));
        pgColumns = (await db.query<Record<string, string>>(`SELECT ${COLUMN_SIZES} FROM o365_events`)).rows[0] ?? {};
        await db.end();
        for (const [name, search] of SEARCHES)
          searchMs.set(name, { sqlite: await median(() => search(sqlite)), postgres: await median(() => search(postgres)) });
      }
      await sqlite.close();
      await postgres.close();
      rmSync(path, { force: true });
    }
  } finally {
    await admin.end();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const ratio = (
    pgRuns.map((r) => r.eventsPerSecond).sort((a, b) => a - b)[1]! /
    sqliteRuns.map((r) => r.eventsPerSecond).sort((a, b) => a - b)[1]!
  ).toFixed(2);
  const out = process.stdout;
  out.write(
    `${TOTAL.toLocaleString('en')} events, batches of ${BATCH}, ${RUNS} runs (median, min–max); load average ${(
      await import('node:os')
    )
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n\n`,
  );
  out.write('| store | events/s | CPU µs per event (collecting process) | bytes per event on disk |\n|---|---|---|---|\n');
  out.write(
    `| SQLite (baseline) | ${spread(sqliteRuns.map((r) => r.eventsPerSecond))} | ${spread1(sqliteRuns.map((r) => r.cpuMicrosPerEvent))} | ${(sqliteBytes / TOTAL).toFixed(0)} |\n`,
  );
  out.write(
    `| PostgreSQL | ${spread(pgRuns.map((r) => r.eventsPerSecond))} | ${spread1(pgRuns.map((r) => r.cpuMicrosPerEvent))} | ${(pgBytes / TOTAL).toFixed(0)} |\n\n`,
  );
  out.write(`PostgreSQL server CPU µs per event inserted: ${spread1(pgRuns.map((r) => r.serverMicrosPerEvent ?? 0))}\n\n`);
  out.write(`PostgreSQL / SQLite insert rate: ${ratio}\n\n| search | SQLite ms | PostgreSQL ms |\n|---|---|---|\n`);
  for (const [name, ms] of searchMs) out.write(`| ${name} | ${ms.sqlite.toFixed(1)} | ${ms.postgres.toFixed(1)} |\n`);
  out.write('\n| PostgreSQL: where the bytes are (last run, after VACUUM) | bytes per event |\n|---|---:|\n');
  for (const { part, bytes } of pgSpace) out.write(`| ${part} | ${(bytes / TOTAL).toFixed(0)} |\n`);
  out.write(
    `\nAverage stored size of a value (pg_column_size, compressed if it was): ${Object.entries(pgColumns)
      .map(([column, bytes]) => `${column} ${Number(bytes).toFixed(0)}`)
      .join(', ')}\n`,
  );
}

await main();
