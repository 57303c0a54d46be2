// Raw collection, the product as users run it: `o365-intake run` (compiled, its own process) collects one tenant's
// backlog of 4 content types (30,000 records, then 3,000 live) from the emulator (another process) into an NDJSON file,
// with `format: raw` and no store, detection, GeoIP or web page. Measured from outside: time to the first event, backlog
// events/s, CPU seconds and peak RSS (from /proc), then idle cost once there is nothing left to collect.
// Floor, same run: a plain loopback client that downloads and JSON.parses the same blobs (bench/support/plain-client.ts).
// Usage: node --import tsx bench/collect.bench.ts [backlog] [runs]; BENCH_CONCURRENCY=<n> sets collection.concurrency
// (blob workers per tenant, default 4); BENCH_CPU_PROF=<folder> profiles the collector (see below); BENCH_SKIP_IDLE=1
// leaves out the idle phase; BENCH_THREADS=1 prints the collector's CPU seconds by thread (main, V8 GC/compiler workers);
// BENCH_NO_BUILD=1 runs the dist/ already built (alternated before/after pairs); BENCH_JSON=1 also prints each run's figures as JSON.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { ContentType } from '../src/core/content-types.ts';
import { collectorDir, collectorNodeFlags, spawnCollector } from './support/collector-process.ts';
import { benchTenant, startEmulatorProcess } from './support/emulator-process.ts';
import { processStats, threadCpuSeconds } from './support/process-stats.ts';
import { LineCounter } from './support/line-counter.ts';
import { rawCollectorConfig } from './support/raw-collector-config.ts';

const BACKLOG = Number(process.argv[2] ?? 30_000);
const RUNS = Number(process.argv[3] ?? 3);
const LIVE = Math.round(BACKLOG / 10);
const IDLE_SECONDS = 30;
const TIMEOUT_MS = 300_000;
const CONTENT_TYPES: ContentType[] = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General'];
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ProductRun {
  firstEventSeconds: number;
  backlogEventsPerSecond: number;
  /** From the first event written to the end of the backlog: start-up (module loading, token, listing) left out. */
  backlogEventsPerSecondAfterFirst: number;
  cpuSeconds: number;
  cpuMicrosPerRecord: number;
  peakRssBytes: number;
  idleCpuPerSecond: number;
  idleRssBytes: number;
  total: number;
}

async function runProduct(run: number): Promise<ProductRun> {
  const emulator = await startEmulatorProcess({
    tenants: 1,
    contentTypes: CONTENT_TYPES,
    backlog: BACKLOG,
    live: LIVE,
    seed: 14 + run,
  });
  const { dir, output } = collectorDir('collect-bench-', emulator.caPem, (out) =>
    rawCollectorConfig(emulator.url, 1, out, {
      contentTypes: CONTENT_TYPES,
      collection: {
        poll_interval: '10s',
        ...(process.env.BENCH_CONCURRENCY ? { concurrency: Number(process.env.BENCH_CONCURRENCY) } : {}),
      },
    }),
  );
  const started = performance.now();
  const collector = spawnCollector(dir, collectorNodeFlags({ profile: true }));
  const counter = new LineCounter(output);
  let first = 0;
  let firstCount = 0;
  let backlogDone = 0;
  try {
    while (performance.now() - started < TIMEOUT_MS) {
      collector.assertRunning();
      const n = counter.update();
      if (n > 0 && !first) {
        first = performance.now();
        firstCount = n;
      }
      if (n >= BACKLOG && !backlogDone) backlogDone = performance.now();
      if (backlogDone && n >= (await Promise.race([emulator.liveDone, sleep(0).then(() => Number.POSITIVE_INFINITY)]))) break;
      await sleep(50);
    }
    const total = counter.update();
    const expected = await emulator.liveDone;
    const collected = (busy: { cpuSeconds: number; peakRssBytes: number }) => ({
      firstEventSeconds: (first - started) / 1000,
      backlogEventsPerSecond: BACKLOG / ((backlogDone - started) / 1000),
      backlogEventsPerSecondAfterFirst: (BACKLOG - firstCount) / ((backlogDone - first) / 1000),
      cpuSeconds: busy.cpuSeconds,
      cpuMicrosPerRecord: (busy.cpuSeconds * 1e6) / total,
      peakRssBytes: busy.peakRssBytes,
      total,
    });
    if (total !== expected) throw new Error(`run ${run}: ${total} lines written, ${expected} records published`);
    const busy = processStats(collector.pid);
    if (process.env.BENCH_THREADS)
      for (const t of threadCpuSeconds(collector.pid))
        if (t.cpuSeconds > 0) console.error(`run ${run} thread ${t.name}: ${t.cpuSeconds.toFixed(2)} CPU-s`);
    // Profiling: the profile covers collection only (stopped here), so idle polls do not count as busy time.
    if (process.env.BENCH_CPU_PROF || process.env.BENCH_SKIP_IDLE)
      return { ...collected(busy), idleCpuPerSecond: Number.NaN, idleRssBytes: Number.NaN };
    await sleep(3000); // let the last poll settle before measuring idle
    const idleStart = processStats(collector.pid);
    await sleep(IDLE_SECONDS * 1000);
    const idleEnd = processStats(collector.pid);
    return {
      ...collected(busy),
      idleCpuPerSecond: (idleEnd.cpuSeconds - idleStart.cpuSeconds) / IDLE_SECONDS,
      idleRssBytes: idleEnd.rssBytes,
    };
  } finally {
    await collector.stop();
    await emulator.stop();
  }
}

interface FloorRun {
  eventsPerSecond: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

async function runFloor(run: number): Promise<FloorRun> {
  const emulator = await startEmulatorProcess({ tenants: 1, contentTypes: CONTENT_TYPES, backlog: BACKLOG, seed: 14 + run });
  try {
    const t = benchTenant(0);
    const job = {
      url: emulator.url,
      caPem: emulator.caPem,
      tenantId: t.tenantId,
      clientId: t.clientId,
      secret: t.secret,
      contentTypes: CONTENT_TYPES,
      expected: emulator.expected,
    };
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'bench/support/plain-client.ts'), JSON.stringify(job)],
      { encoding: 'utf8' },
    );
    if (res.status !== 0) throw new Error(`plain client failed: ${res.stderr}`);
    const out = JSON.parse(res.stdout.trim().split('\n').at(-1) ?? '{}') as {
      records: number;
      seconds: number;
      cpuSeconds: number;
      peakRssBytes: number;
    };
    if (out.records !== emulator.expected) throw new Error(`plain client read ${out.records} of ${emulator.expected} records`);
    return { eventsPerSecond: out.records / out.seconds, cpuSeconds: out.cpuSeconds, peakRssBytes: out.peakRssBytes };
  } finally {
    await emulator.stop();
  }
}

const spread = (values: number[], digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return `${fmt(median)} (${fmt(sorted[0] ?? 0)}–${fmt(sorted.at(-1) ?? 0)})`;
};
const mb = (b: number) => b / 1024 / 1024;

if (!process.env.BENCH_NO_BUILD) spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
const product: ProductRun[] = [];
const floor: FloorRun[] = [];
for (let run = 0; run < RUNS; run++) {
  floor.push(await runFloor(run));
  product.push(await runProduct(run));
}
const ratio = product.map((p, i) => p.backlogEventsPerSecond / (floor[i]?.eventsPerSecond ?? 1));
if (process.env.BENCH_JSON) for (const [i, p] of product.entries()) console.log(JSON.stringify({ product: p, floor: floor[i] }));
console.log(
  `One tenant, ${BACKLOG.toLocaleString('en-US')}-record backlog over 4 content types + ${LIVE.toLocaleString('en-US')} live; ` +
    `emulator in its own process; median of ${RUNS} runs (min–max).\n`,
);
console.log('| | plain client (floor) | o365-intake `run`, raw | Sekoia connector (issue #15, reference) |');
console.log('|---|---:|---:|---:|');
console.log(
  `| backlog events/s | ${spread(floor.map((f) => f.eventsPerSecond))} | ${spread(product.map((p) => p.backlogEventsPerSecond))} | 3,234 |`,
);
console.log(`| ratio to the floor | 1 | ${spread(ratio, 2)} | |`);
console.log(`| backlog events/s after the first event | | ${spread(product.map((p) => p.backlogEventsPerSecondAfterFirst))} | |`);
console.log(
  `| CPU seconds | ${spread(
    floor.map((f) => f.cpuSeconds),
    1,
  )} | ${spread(
    product.map((p) => p.cpuSeconds),
    1,
  )} | 3.3 |`,
);
console.log(
  `| µs CPU per record | ${spread(floor.map((f) => (f.cpuSeconds * 1e6) / BACKLOG))} | ${spread(product.map((p) => p.cpuMicrosPerRecord))} | ~1,000 |`,
);
console.log(
  `| peak RSS (MB) | ${spread(floor.map((f) => mb(f.peakRssBytes)))} | ${spread(product.map((p) => mb(p.peakRssBytes)))} | 98 |`,
);
console.log(
  `| first event after start (s) | | ${spread(
    product.map((p) => p.firstEventSeconds),
    1,
  )} | 5.0 |`,
);
console.log(
  `| idle CPU-s per second | | ${spread(
    product.map((p) => p.idleCpuPerSecond),
    3,
  )} | 0.017 |`,
);
console.log(`| idle RSS (MB) | | ${spread(product.map((p) => mb(p.idleRssBytes)))} | 41 |`);
