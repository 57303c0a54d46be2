// Collector memory with a huge blob and many tenants (issue #10): `o365-intake run` (compiled, its own process) collects
// one streamed blob of BLOB_MB MB (first tenant, Audit.AzureActiveDirectory) through the real path (download → streaming
// parse → pipeline → file sink, with backpressure), first alone with one tenant, then together with TENANTS tenants × 5
// content types holding 50 records each; the emulator runs in another process. Measured from outside: peak RSS (VmHWM),
// CPU seconds, time until every event is written, and the output checked exactly once (every published record's Id
// once, nothing else). Baseline in the same run: the same collector with one tenant and nothing to collect.
// Usage: node --import tsx bench/memory.bench.ts [tenants] [blobMB] [runs]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENT_TYPES } from '../src/core/content-types.ts';
import { collectorDir, collectorNodeFlags, spawnCollector } from './support/collector-process.ts';
import { startEmulatorProcess } from './support/emulator-process.ts';
import { summarizeOutput } from './support/output-ids.ts';
import { processStats } from './support/process-stats.ts';
import { LineCounter } from './support/line-counter.ts';
import { rawCollectorConfig } from './support/raw-collector-config.ts';

const TENANTS = Number(process.argv[2] ?? 1000);
const BLOB_MB = Number(process.argv[3] ?? 200);
const RUNS = Number(process.argv[4] ?? 3);
const PER_TENANT = 50;
const TIMEOUT_MS = 600_000;
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Scenario {
  label: string;
  tenants: number;
  perTenant: number;
  blobBytes: number;
}

interface Result {
  peakRssBytes: number;
  cpuSeconds: number;
  seconds: number;
  events: number;
  exactlyOnce: boolean;
}

async function runScenario(s: Scenario, run: number): Promise<Result> {
  const emulator = await startEmulatorProcess({
    tenants: s.tenants,
    contentTypes: [...CONTENT_TYPES],
    backlog: s.perTenant,
    recordsPerBlob: 10,
    hugeBlobBytes: s.blobBytes,
    seed: 30 + run,
  });
  const { dir, output } = collectorDir('memory-bench-', emulator.caPem, (out) =>
    rawCollectorConfig(emulator.url, s.tenants, out),
  );
  const started = performance.now();
  // BENCH_NODE_OPTIONS adds flags to the collector's node (e.g. --heapsnapshot-signal, V8 heap sizes, or
  // --import=<abs path>/bench/support/memory-probe.mjs with MEMORY_PROBE_FILE=/tmp/probe-%p.jsonl: memory by owner).
  const collector = spawnCollector(dir, collectorNodeFlags());
  const counter = new LineCounter(output);
  try {
    while (counter.update() < emulator.expected) {
      collector.assertRunning();
      if (performance.now() - started > TIMEOUT_MS)
        throw new Error(`${s.label}: ${counter.lines} of ${emulator.expected} events after ${TIMEOUT_MS / 1000} s`);
      await sleep(500);
    }
    const seconds = (performance.now() - started) / 1000;
    await sleep(2000); // a repeat would come now, if any
    const stats = processStats(collector.pid);
    const summary = await summarizeOutput(output);
    const exactlyOnce =
      summary.eventCounts.size === emulator.expected &&
      [...summary.eventCounts.values()].every((n) => n === 1) &&
      summary.deadLetters === 0;
    return {
      peakRssBytes: stats.peakRssBytes,
      cpuSeconds: stats.cpuSeconds,
      seconds,
      events: summary.eventCounts.size,
      exactlyOnce,
    };
  } finally {
    await collector.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const spread = (values: number[], digits = 0) => {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return sorted.length > 1 ? `${fmt(median)} (${fmt(sorted[0] ?? 0)}–${fmt(sorted.at(-1) ?? 0)})` : fmt(median);
};
const mb = (b: number) => b / 1048576;

spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
const blobBytes = BLOB_MB * 1048576;
const scenarios: Scenario[] = [
  { label: 'baseline: 1 tenant, nothing but 5 × 10 records', tenants: 1, perTenant: PER_TENANT, blobBytes: 0 },
  { label: `1 tenant + one ${BLOB_MB} MB blob`, tenants: 1, perTenant: PER_TENANT, blobBytes },
  {
    label: `${TENANTS} tenants × 5 content types + one ${BLOB_MB} MB blob`,
    tenants: TENANTS,
    perTenant: PER_TENANT,
    blobBytes,
  },
];
const results = new Map<Scenario, Result[]>(scenarios.map((s) => [s, []]));
for (let run = 0; run < RUNS; run++) {
  for (const s of scenarios) results.get(s)?.push(await runScenario(s, run));
}
const baseline = results.get(scenarios[0] as Scenario) ?? [];
console.log(
  `Collector process only (emulator in its own process), raw output into the file sink; median of ${RUNS} runs (min–max); ` +
    'ratio: peak RSS over the baseline of the same run.\n',
);
console.log('| scenario | events | exactly once | seconds | CPU seconds | peak RSS (MB) | ratio to baseline |');
console.log('|---|---:|---|---:|---:|---:|---:|');
for (const s of scenarios) {
  const r = results.get(s) ?? [];
  console.log(
    `| ${s.label} | ${spread(r.map((x) => x.events))} | ${r.every((x) => x.exactlyOnce) ? 'yes' : 'NO'} | ${spread(
      r.map((x) => x.seconds),
      1,
    )} | ${spread(
      r.map((x) => x.cpuSeconds),
      1,
    )} | ${spread(r.map((x) => mb(x.peakRssBytes)))} | ${spread(
      r.map((x, i) => x.peakRssBytes / (baseline[i]?.peakRssBytes ?? x.peakRssBytes)),
      2,
    )} |`,
  );
}
if (![...results.values()].flat().every((x) => x.exactlyOnce)) process.exitCode = 1;
