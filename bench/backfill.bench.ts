// A 7-day backfill end to end (issue #15: "events/s stays flat from the first to the last million"): `o365-intake run`
// (compiled, its own process) collects one tenant's history of EVENTS records over 4 content types, spread over the past
// 7 days in blobs of 50–1,950 records, from the emulator (another process) into an NDJSON file, with `format: raw`
// and no store, detection, GeoIP or web page (the raw path: what grows is the state, dedup ids and the blob ledger).
// Measured from outside: events/s per fifth of the events (per million at 5M) from the first event written, the
// last/first ratio, CPU µs per event, peak RSS (from /proc), state bytes per event (state.db + WAL while running,
// state.db after a clean stop), and the output checked exactly once (every published Id once, nothing else).
// Usage: node --import tsx bench/backfill.bench.ts [events=5000000] [runs=1]; BACKFILL_EVENTS=<n> overrides the default
// (what `npm run bench` uses: e.g. BACKFILL_EVENTS=500000 for a quick run).
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ContentType } from '../src/core/content-types.ts';
import { collectorDir, collectorNodeFlags, spawnCollector } from './support/collector-process.ts';
import { benchTenant, startEmulatorProcess } from './support/emulator-process.ts';
import { LineCounter } from './support/line-counter.ts';
import { processStats } from './support/process-stats.ts';
import { rawCollectorConfig } from './support/raw-collector-config.ts';

const EVENTS = Number(process.argv[2] ?? process.env.BACKFILL_EVENTS ?? 5_000_000);
const RUNS = Number(process.argv[3] ?? 1);
const DAYS = 7;
const PARTS = 5;
const CONTENT_TYPES: ContentType[] = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General'];
/** Generous: ~50 minutes for 5M even at 2,000 events/s (a loaded machine); blobs expire 7 days after creation. */
const TIMEOUT_MS = Math.max(120_000, (EVENTS / 2000) * 1000);
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  events: number;
  /** Events/s of each fifth of the events, the first from the first event written. */
  perPart: number[];
  eventsPerSecond: number;
  firstEventSeconds: number;
  cpuMicrosPerEvent: number;
  peakRssBytes: number;
  /** state.db + state.db-wal once every event is written, and state.db after the clean stop. */
  stateBytesRunning: number;
  stateBytesStopped: number;
  outputBytesPerEvent: number;
  problems: string[];
}

const fileSize = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

/** Every line an event of `tenantId`, each published Id once: checked with a set of the Ids (never the lines). */
async function exactlyOnceProblems(output: string, tenantId: string, expected: number): Promise<string[]> {
  const seen = new Set<string>();
  const problems: string[] = [];
  let repeats = 0;
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(output, 'utf8'), crlfDelay: Infinity })) {
    if (!line) continue;
    lines += 1;
    const doc = JSON.parse(line) as { Id?: string; OrganizationId?: string };
    if (doc.OrganizationId !== tenantId || typeof doc.Id !== 'string') {
      if (problems.length < 5) problems.push(`line ${lines} is not an event of the tenant: ${line.slice(0, 120)}`);
      continue;
    }
    if (seen.has(doc.Id)) repeats += 1;
    else seen.add(doc.Id);
  }
  if (repeats > 0) problems.push(`${repeats} events written twice`);
  if (seen.size !== expected) problems.push(`${seen.size} distinct events written, ${expected} published`);
  return problems;
}

async function runOnce(run: number): Promise<Run> {
  const emulator = await startEmulatorProcess({
    tenants: 1,
    contentTypes: CONTENT_TYPES,
    backlog: 0,
    history: { records: EVENTS, days: DAYS },
    seed: 50 + run,
  });
  const { dir, output } = collectorDir('backfill-bench-', emulator.caPem, (out) =>
    rawCollectorConfig(emulator.url, 1, out, {
      contentTypes: CONTENT_TYPES,
      collection: { backfill: '7d', settle_window: '1h', poll_interval: '10s' },
    }),
  );
  const statePath = join(dir, 'data', 'state.db');
  const started = performance.now();
  const collector = spawnCollector(dir, collectorNodeFlags());
  const counter = new LineCounter(output);
  const expected = emulator.expected;
  const step = Math.floor(expected / PARTS);
  /** When the first event, then each fifth (the last: every event), was written. */
  const marks: number[] = [];
  try {
    while (marks.length <= PARTS) {
      collector.assertRunning();
      if (performance.now() - started > TIMEOUT_MS)
        throw new Error(`${counter.lines} of ${expected} events after ${TIMEOUT_MS / 1000} s`);
      const n = counter.update();
      const now = performance.now();
      if (marks.length === 0 && n > 0) marks.push(now);
      while (marks.length > 0 && marks.length <= PARTS && n >= (marks.length === PARTS ? expected : step * marks.length))
        marks.push(now);
      await sleep(100);
    }
    const busy = processStats(collector.pid);
    const stateBytesRunning = fileSize(statePath) + fileSize(`${statePath}-wal`);
    await sleep(2000); // a repeat would come now, if any
    await collector.stop();
    const stateBytesStopped = fileSize(statePath) + fileSize(`${statePath}-wal`);
    const first = marks[0] as number;
    const perPart = marks.slice(1).map((t, i) => {
      const events = i === PARTS - 1 ? expected - step * (PARTS - 1) : step;
      return events / ((t - (marks[i] as number)) / 1000);
    });
    return {
      events: expected,
      perPart,
      eventsPerSecond: expected / (((marks[PARTS] as number) - started) / 1000),
      firstEventSeconds: (first - started) / 1000,
      cpuMicrosPerEvent: (busy.cpuSeconds * 1e6) / expected,
      peakRssBytes: busy.peakRssBytes,
      stateBytesRunning,
      stateBytesStopped,
      outputBytesPerEvent: fileSize(output) / expected,
      problems: await exactlyOnceProblems(output, benchTenant(0).tenantId, expected),
    };
  } finally {
    await collector.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (v: number, digits = 0) =>
  v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (b: number) => b / 1048576;
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
const runs: Run[] = [];
const loads: string[] = [];
for (let run = 0; run < RUNS; run++) {
  runs.push(await runOnce(run));
  loads.push(load());
}
console.log(
  `One tenant, a ${DAYS}-day history of ${fmt(runs[0]?.events ?? 0)} records over 4 content types (blobs of 50–1,950 ` +
    'records), collected raw into an NDJSON file by `o365-intake run` (its own process; emulator in another). Events/s ' +
    'per fifth of the events, the first fifth from the first event written; state bytes per event: state.db + WAL ' +
    'when every event is written, state.db after a clean stop.\n',
);
console.log(
  '| run | load avg (1, 5, 15 min) at the end | events | events/s overall | events/s per fifth | last/first fifth | CPU µs/event | peak RSS (MB) | state bytes/event running / stopped | output bytes/event | first event (s) | exactly once |',
);
console.log('|---|---|---:|---:|---|---:|---:|---:|---|---:|---:|---|');
for (const [i, r] of runs.entries()) {
  const ratio = (r.perPart.at(-1) ?? 0) / (r.perPart[0] ?? 1);
  console.log(
    `| ${i + 1} | ${loads[i]} | ${fmt(r.events)} | ${fmt(r.eventsPerSecond)} | ${r.perPart.map((v) => fmt(v)).join(' · ')} | ${fmt(
      ratio,
      2,
    )} | ${fmt(r.cpuMicrosPerEvent)} | ${fmt(mb(r.peakRssBytes))} | ${fmt(r.stateBytesRunning / r.events, 1)} / ${fmt(
      r.stateBytesStopped / r.events,
      1,
    )} | ${fmt(r.outputBytesPerEvent)} | ${fmt(r.firstEventSeconds, 1)} | ${r.problems.length === 0 ? 'yes' : `NO: ${r.problems.join('; ')}`} |`,
  );
}
if (runs.some((r) => r.problems.length > 0)) process.exitCode = 1;
