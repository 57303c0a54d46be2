// Scale-out on PostgreSQL: the same backlog (TENANTS tenants × 2 content types, against the emulator) collected by
// 1, 2 and 3 worker processes sharing the streams through leases. Prints events/s per worker count, the ratio
// against 1 worker (the baseline, measured in the same run), tenants per process and the peak RSS of the processes.
// Usage: node --import tsx bench/scale.bench.ts [tenants] [eventsPerTenant]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { ContentType } from '../src/core/content-types.ts';
import { startEmulator } from '../src/emulator/emulator.ts';
import { findPostgresBin, POSTGRES_SKIP_REASON, startPostgres } from '../src/state/postgres/testing/postgres-server.ts';
import { peakRss, readOutputIds, spawnWorker, type WorkerProcess } from '../src/state/postgres/testing/worker-process.ts';

const TENANTS = Number(process.argv[2] ?? 30);
const EVENTS_PER_TENANT = Number(process.argv[3] ?? 200);
const CONTENT_TYPES: ContentType[] = ['Audit.Exchange', 'Audit.SharePoint'];
const TIMEOUT_MS = 600_000;
const guid = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;

interface Result {
  workers: number;
  events: number;
  seconds: number;
  peakRssBytes: number;
}

async function run(url: string, workerCount: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), `scale-bench-${workerCount}-`));
  const emulator = await startEmulator({
    seed: workerCount,
    tenants: Array.from({ length: TENANTS }, (_, i) => ({
      tenantId: guid('cccc', i),
      name: `t${i}`,
      apps: [{ clientId: guid('dddd', i), clientSecret: `s${i}` }],
    })),
  });
  const workers: WorkerProcess[] = [];
  try {
    const tenants = Array.from({ length: TENANTS }, (_, i) => ({
      name: `t${i}`,
      tenant_id: guid('cccc', i),
      client_id: guid('dddd', i),
      client_secret: `s${i}`,
      content_types: CONTENT_TYPES,
      login_url: emulator.url,
      api_url: emulator.url,
    }));
    const collection = {
      poll_interval: '1s',
      listing_delay: 0,
      backfill: '1h',
      settle_window: '1h',
      batch_size: 500,
      auth_retry_delay: '2s',
      quarantine_retry_delay: '2s',
      retry_base_delay: '100ms',
      retry_max_delay: '1s',
    };
    workers.push(
      ...(await Promise.all(
        Array.from({ length: workerCount }, (_, i) =>
          spawnWorker(
            dir,
            {
              url,
              workerId: `w${i + 1}`,
              nodeId: `n${i + 1}`,
              output: join(dir, `w${i + 1}.ndjson`),
              tenants,
              collection,
              leaseTtlMs: 15_000,
              heartbeatMs: 3000,
              ca: emulator.caPem,
            },
            180_000,
          ),
        ),
      )),
    );
    // Timing starts once every stream is leased (process start and the first claims are not measured).
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      for (let i = 0; ; i++) {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM o365_streams WHERE lease_until > now()');
        if ((rows[0]?.n ?? 0) === TENANTS * CONTENT_TYPES.length) break;
        if (i > 600) throw new Error('streams were not all leased within 5 minutes');
        await sleep(500);
      }
    } finally {
      await db.end();
    }
    const started = Date.now();
    for (const t of tenants)
      emulator.generate(t.tenant_id, EVENTS_PER_TENANT, {
        contentTypes: CONTENT_TYPES,
        contentCreated: Date.now() - 30 * 60_000,
        recordsPerBlob: 100,
      });
    const expected = tenants.reduce((n, t) => n + emulator.publishedIds(t.tenant_id).size, 0);
    const count = (): number => {
      const counts = new Map<string, number>();
      for (let i = 1; i <= workerCount; i++) readOutputIds(join(dir, `w${i}.ndjson`), counts);
      return counts.size;
    };
    while (count() < expected) {
      if (Date.now() - started > TIMEOUT_MS)
        throw new Error(`${workerCount} workers: only ${count()} of ${expected} events after ${TIMEOUT_MS / 1000} s`);
      await sleep(500);
    }
    const seconds = (Date.now() - started) / 1000;
    const peakRssBytes = Math.max(...workers.map((w) => peakRss(w.pid)));
    return { workers: workerCount, events: expected, seconds, peakRssBytes };
  } finally {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!findPostgresBin()) {
  console.log(`skipped: ${POSTGRES_SKIP_REASON}`);
  process.exit(0);
}
const server = await startPostgres();
const results: Result[] = [];
try {
  for (const workers of [1, 2, 3]) {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE bench${workers}`);
    await admin.end();
    results.push(await run(server.url.replace(/\/postgres$/, `/bench${workers}`), workers));
  }
} finally {
  await server.stop();
}

const baseline = results[0]!;
const rate = (r: Result): number => r.events / r.seconds;
console.log(
  `${TENANTS} tenants × ${CONTENT_TYPES.length} content types, ${EVENTS_PER_TENANT} events per tenant, raw NDJSON file sink per worker; time from publishing the backlog (all streams already leased) to the last event written; poll interval 1 s.\n`,
);
console.log('| workers | tenants per process | events | seconds | events/s | ratio vs 1 worker | peak RSS per worker (MB) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.workers} | ${Math.ceil(TENANTS / r.workers)} | ${r.events} | ${r.seconds.toFixed(1)} | ${rate(r).toFixed(0)} | ${(rate(r) / rate(baseline)).toFixed(2)} | ${(r.peakRssBytes / 1048576).toFixed(0)} |`,
  );
}
console.log(`\nBench process peak RSS (emulator + PostgreSQL client): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
