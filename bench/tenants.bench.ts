// Many tenants in one process, as users run it: `o365-intake run` (compiled, its own process) with TENANTS tenants × 5
// content types against the emulator (another process) holding 50 records per tenant. Measured from outside: time until
// every subscription is enabled and every stream has listed once (read from the state database), time to the first
// and to the last event, requests per minute the emulator served, CPU seconds and peak RSS; then idle cost.
// Bounded: a run stops at TIMEOUT_S whatever it reached (and says so).
// Usage: node --import tsx bench/tenants.bench.ts [tenants] [timeoutSeconds]
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CONTENT_TYPES } from '../src/core/content-types.ts';
import { startEmulatorProcess } from './support/emulator-process.ts';
import { processStats } from './support/process-stats.ts';
import { rawCollectorConfig } from './support/raw-collector-config.ts';

const TENANTS = Number(process.argv[2] ?? 1000);
const TIMEOUT_S = Number(process.argv[3] ?? 600);
const PER_TENANT = 50;
const IDLE_SECONDS = 30;
const root = new URL('..', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function countLines(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(1 << 20);
  let lines = 0;
  try {
    for (let offset = 0, size = statSync(path).size; offset < size; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - offset), offset);
      if (n <= 0) break;
      for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
      offset += n;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** Streams enabled and streams that listed at least once, from the collector's own state (read-only, WAL). */
function streamProgress(statePath: string): { enabled: number; listed: number } {
  if (!existsSync(statePath)) return { enabled: 0, listed: 0 };
  try {
    const db = new Database(statePath, { readonly: true, fileMustExist: true });
    try {
      const row = db
        .prepare(
          'SELECT SUM(subscription_enabled) AS enabled, SUM(CASE WHEN listed_through IS NOT NULL THEN 1 ELSE 0 END) AS listed FROM streams',
        )
        .get() as { enabled: number | null; listed: number | null };
      return { enabled: row.enabled ?? 0, listed: row.listed ?? 0 };
    } finally {
      db.close();
    }
  } catch {
    return { enabled: 0, listed: 0 };
  }
}

/** Signals the collector to write a heap snapshot into `folder` and waits until the file stops growing. */
async function writeHeapSnapshot(pid: number, folder: string): Promise<void> {
  const before = new Set(readdirSync(folder));
  process.kill(pid, 'SIGUSR2');
  for (let last = -1, i = 0; i < 240; i++) {
    await sleep(1000);
    const file = readdirSync(folder).find((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    const size = file ? statSync(join(folder, file)).size : -1;
    if (size > 0 && size === last) return console.error(`heap snapshot: ${join(folder, file ?? '')}`);
    last = size;
  }
}

const totalRequests = (stats: { requests: Record<string, number> }) => Object.values(stats.requests).reduce((a, b) => a + b, 0);

spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'ignore' });
const emulator = await startEmulatorProcess({
  tenants: TENANTS,
  contentTypes: [...CONTENT_TYPES],
  backlog: PER_TENANT,
  recordsPerBlob: 10,
});
const dir = mkdtempSync(join(tmpdir(), 'tenants-bench-'));
writeFileSync(join(dir, 'ca.pem'), emulator.caPem);
const output = join(dir, 'events.ndjson');
writeFileSync(join(dir, 'config.yaml'), rawCollectorConfig(emulator.url, TENANTS, output));
const streams = TENANTS * CONTENT_TYPES.length;
const started = performance.now();
// BENCH_HEAP_SNAPSHOT=<folder> writes a heap snapshot of the idle collector there (summarize it with
// bench/support/heap-summary.ts); BENCH_NODE_OPTIONS adds flags to the collector's node (e.g. V8 heap sizes).
const heapDir = process.env.BENCH_HEAP_SNAPSHOT;
const nodeFlags = [
  ...(heapDir ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${heapDir}`] : []),
  ...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
];
const child = spawn(
  process.execPath,
  [...nodeFlags, join(root, 'bin/o365-intake.mjs'), 'run', '-c', join(dir, 'config.yaml'), '--log-format', 'json'],
  {
    cwd: dir,
    env: { ...process.env, O365_INTAKE_FROM_SOURCE: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
);
let stderr = '';
child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
const at = (): number => (performance.now() - started) / 1000;
let allEnabled: number | undefined;
let allListed: number | undefined;
let firstEvent: number | undefined;
let lastEvent: number | undefined;
let written = 0;
let peakRequestsPerMinute = 0;
const window: { t: number; requests: number }[] = [];
try {
  while (at() < TIMEOUT_S && lastEvent === undefined) {
    if (child.exitCode !== null) throw new Error(`o365-intake exited with ${child.exitCode}: ${stderr}`);
    await sleep(1000);
    const progress = streamProgress(join(dir, 'data', 'state.db'));
    if (allEnabled === undefined && progress.enabled >= streams) allEnabled = at();
    if (allListed === undefined && progress.listed >= streams) allListed = at();
    written = countLines(output);
    if (firstEvent === undefined && written > 0) firstEvent = at();
    if (written >= emulator.expected) lastEvent = at();
    const requests = totalRequests(await emulator.stats());
    window.push({ t: at(), requests });
    while (window.length > 1 && (window[0]?.t ?? 0) < at() - 60) window.shift();
    const span = at() - (window[0]?.t ?? 0);
    if (span >= 10)
      peakRequestsPerMinute = Math.max(peakRequestsPerMinute, ((requests - (window[0]?.requests ?? 0)) * 60) / span);
  }
  const busy = processStats(child.pid ?? 0);
  const requests = totalRequests(await emulator.stats());
  const idleStart = processStats(child.pid ?? 0);
  const requestsBeforeIdle = requests;
  await sleep(IDLE_SECONDS * 1000);
  const idleEnd = processStats(child.pid ?? 0);
  const idleRequests = totalRequests(await emulator.stats()) - requestsBeforeIdle;
  if (heapDir) await writeHeapSnapshot(child.pid ?? 0, heapDir);
  const s = (v: number | undefined) => (v === undefined ? `not reached in ${TIMEOUT_S} s` : `${v.toFixed(0)} s`);
  console.log(
    `${TENANTS} tenants × ${CONTENT_TYPES.length} content types (${streams} streams), ${emulator.expected.toLocaleString('en-US')} records; emulator in its own process.\n`,
  );
  console.log('| measure | value |');
  console.log('|---|---:|');
  console.log(`| every subscription enabled | ${s(allEnabled)} |`);
  console.log(`| every stream listed once | ${s(allListed)} |`);
  console.log(`| first event written | ${s(firstEvent)} |`);
  console.log(
    `| every event written (${written.toLocaleString('en-US')} of ${emulator.expected.toLocaleString('en-US')}) | ${s(lastEvent)} |`,
  );
  console.log(`| requests served until then | ${requests.toLocaleString('en-US')} |`);
  console.log(`| peak requests per minute (60 s window) | ${Math.round(peakRequestsPerMinute).toLocaleString('en-US')} |`);
  console.log(`| CPU seconds until then | ${busy.cpuSeconds.toFixed(1)} |`);
  console.log(`| peak RSS | ${(busy.peakRssBytes / 1048576).toFixed(0)} MB |`);
  console.log(
    `| idle: CPU-s per second, requests per minute | ${((idleEnd.cpuSeconds - idleStart.cpuSeconds) / IDLE_SECONDS).toFixed(3)}, ${Math.round((idleRequests * 60) / IDLE_SECONDS)} |`,
  );
  console.log(`| idle RSS | ${(idleEnd.rssBytes / 1048576).toFixed(0)} MB |`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  await emulator.stop();
}
