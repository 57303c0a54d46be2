// Start-up of raw collection: `o365-intake run` (compiled, its own process, `format: raw`, no store, detection, GeoIP or
// web page) against the emulator (another process) holding a tiny backlog (one blob per content type), timed to the
// first event in the NDJSON file: wall seconds from spawn, CPU seconds of the process at that moment (all threads, from
// /proc), and the same for a bare `node -e ''` started the same way (the floor: Node's own start-up), same runs.
// Usage: node --import tsx bench/startup.bench.ts [runs]; BENCH_CPU_PROF=<folder> profiles the collector's start-up
// (the profile is written when it stops, right after its first event); BENCH_NODE_OPTIONS adds flags to its node.
import { spawn } from 'node:child_process';
import type { ContentType } from '../src/core/content-types.ts';
import { collectorDir, collectorNodeFlags, spawnCollector } from './support/collector-process.ts';
import { startEmulatorProcess } from './support/emulator-process.ts';
import { LineCounter } from './support/line-counter.ts';
import { processStats } from './support/process-stats.ts';
import { rawCollectorConfig } from './support/raw-collector-config.ts';

const RUNS = Number(process.argv[2] ?? 5);
const CONTENT_TYPES: ContentType[] = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General'];
const RECORDS_PER_BLOB = 50;
const TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface StartRun {
  firstEventSeconds: number;
  cpuSecondsAtFirstEvent: number;
  rssMbAtFirstEvent: number;
}

/** A bare Node process started the same way: what any Node program pays before its first line (wall, CPU of all threads). */
async function nodeFloor(): Promise<{ seconds: number; cpuSeconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', 'const u = process.cpuUsage(); console.log((u.user + u.system) / 1e6)'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once('exit', r));
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: Number(out.trim()) };
}

async function runCollector(run: number): Promise<StartRun> {
  const emulator = await startEmulatorProcess({
    tenants: 1,
    contentTypes: CONTENT_TYPES,
    backlog: RECORDS_PER_BLOB * CONTENT_TYPES.length,
    recordsPerBlob: RECORDS_PER_BLOB,
    seed: 14 + run,
  });
  const { dir, output } = collectorDir('startup-bench-', emulator.caPem, (out) =>
    rawCollectorConfig(emulator.url, 1, out, { contentTypes: CONTENT_TYPES, collection: { poll_interval: '10s' } }),
  );
  const started = performance.now();
  const collector = spawnCollector(dir, collectorNodeFlags({ profile: true }));
  const counter = new LineCounter(output);
  try {
    while (performance.now() - started < TIMEOUT_MS) {
      collector.assertRunning();
      if (counter.update() > 0) {
        const at = performance.now();
        const stats = processStats(collector.pid);
        return {
          firstEventSeconds: (at - started) / 1000,
          cpuSecondsAtFirstEvent: stats.cpuSeconds,
          rssMbAtFirstEvent: stats.rssBytes / 1024 / 1024,
        };
      }
      await sleep(5);
    }
    throw new Error(`no event within ${TIMEOUT_MS} ms: ${collector.stderrTail()}`);
  } finally {
    await collector.stop();
    await emulator.stop();
  }
}

const spread = (values: number[], digits: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const fmt = (v: number) => v.toFixed(digits);
  return `${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0)} (${fmt(sorted[0] ?? 0)}–${fmt(sorted.at(-1) ?? 0)})`;
};

const runs: StartRun[] = [];
const floor: { seconds: number; cpuSeconds: number }[] = [];
for (let run = 0; run < RUNS; run++) {
  floor.push(await nodeFloor());
  runs.push(await runCollector(run));
}
console.log(
  `Start-up to the first event: one tenant, ${CONTENT_TYPES.length} blobs of ${RECORDS_PER_BLOB} records; ` +
    `emulator in its own process; median of ${RUNS} runs (min–max).\n`,
);
console.log('| | `node -e ""` (floor) | o365-intake `run`, raw |');
console.log('|---|---:|---:|');
console.log(
  `| first event after start (s) | ${spread(
    floor.map((f) => f.seconds),
    3,
  )} (exit) | ${spread(
    runs.map((r) => r.firstEventSeconds),
    3,
  )} |`,
);
console.log(
  `| CPU seconds at the first event | ${spread(
    floor.map((f) => f.cpuSeconds),
    2,
  )} | ${spread(
    runs.map((r) => r.cpuSecondsAtFirstEvent),
    2,
  )} |`,
);
console.log(
  `| RSS at the first event (MB) | | ${spread(
    runs.map((r) => r.rssMbAtFirstEvent),
    0,
  )} |`,
);
