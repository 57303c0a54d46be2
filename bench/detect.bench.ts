// Detection throughput: the whole bundled rule set (single-event rules and correlations) evaluated on normalized
// events, against a baseline of normalize() on the same records measured in the same run (three runs, with their
// spread). The corpus is built from the intake-o365 fixture inputs with varied Ids, times, IPs and users (500 users,
// one event per second). Then, in a child process of its own (so its peak RSS is its own), a 7-day backfill of 1M
// events generated on the fly goes through normalize + detection, blob-sized chunks shuffled inside (late records);
// that process applies the V8 memory settings `o365-intake run` applies to itself (applyV8MemoryFlags), so its peak RSS
// is the product's. BENCH_V8_DEFAULTS=1 leaves V8's defaults instead (the heap then grows to several times what is live).
// Each timed section reports wall-clock time (throughput) and the process's CPU time (all threads, GC included): on a
// shared machine the CPU-time ratio is the steadier of the two, since a section descheduled for a while only loses
// wall-clock time. The load average is printed with the results.
// Run: node --import tsx bench/detect.bench.ts [events] [backfill events]
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { AuditRecord } from '../src/core/audit-record.ts';
import { createDetector, bundledRulesDir, loadRules, regexEngine, type DetectableEvent } from '../src/detect/index.ts';
import { normalize } from '../src/normalize/index.ts';
import { applyV8MemoryFlags } from '../src/app/v8-memory.ts';

const BACKFILL = process.argv[2] === '--backfill';
const COUNT = Number(process.argv[BACKFILL ? 3 : 2] ?? 100_000);
const BACKFILL_COUNT = Number(process.argv[3] ?? 1_000_000);
const FIXTURES = new URL('../../shared/fixtures/intake-o365/', import.meta.url);

function loadTemplates(): AuditRecord[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) =>
        JSON.parse(
          (JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as { input: { message: string } }).input.message,
        ) as AuditRecord,
    );
}

function variant(template: AuditRecord, i: number): AuditRecord {
  const r: AuditRecord = { ...template };
  r.Id = `bench-${i}`;
  r.CreationTime = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString().slice(0, 19);
  if (typeof r.ClientIP === 'string' && r.ClientIP !== '') r.ClientIP = `198.51.${(i >> 8) % 256}.${i % 256}`;
  if (typeof r.UserId === 'string') r.UserId = `user${i % 500}@contoso.example`;
  return r;
}

/** Wall-clock and CPU seconds (this process, all threads: GC included) of `fn`. */
function time(fn: () => void): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 };
}

const templates = loadTemplates();
const records = BACKFILL ? [] : Array.from({ length: COUNT }, (_, i) => variant(templates[i % templates.length]!, i));
const { rules, filters, errors } = loadRules([bundledRulesDir()]);
if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
const CHUNK = 10_000;

function toEvent(raw: AuditRecord, i: number): DetectableEvent {
  const ecs = normalize(raw);
  return { id: `t${i % 3}:${String(raw.Id)}`, tenantId: `t${i % 3}`, time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
}

/**
 * One pass over the corpus in chunks (so the heap holds one chunk of normalized events, as a pipeline would):
 * per chunk, times normalize() alone (baseline), then builds the events untimed and times the detector on them.
 */
function pass(): { base: number; det: number; baseCpu: number; detCpu: number; alerts: number; groups: number } {
  const detector = createDetector({ rules, filters });
  let base = 0;
  let det = 0;
  let baseCpu = 0;
  let detCpu = 0;
  let alerts = 0;
  let n = 0;
  for (let from = 0; from < records.length; from += CHUNK) {
    const chunk = records.slice(from, from + CHUNK);
    const b = time(() => {
      for (const r of chunk) n += Object.keys(normalize(r)).length;
    });
    const events = chunk.map((r, i) => toEvent(r, from + i));
    const d = time(() => {
      for (const e of events) alerts += detector.process(e).length;
    });
    base += b.wall;
    baseCpu += b.cpu;
    det += d.wall;
    detCpu += d.cpu;
  }
  if (n < 0) throw new Error('unreachable');
  return { base, det, baseCpu, detCpu, alerts, groups: detector.stats().correlation.groups };
}

/** 1M events over 7 days (0.6 s apart), 1 000 users, 3 tenants, in shuffled chunks of 2 000 (a blob each). */
function backfill(): void {
  const detector = createDetector({ rules, filters });
  const step = Math.floor((7 * 86_400_000) / COUNT);
  const BLOB = 2_000;
  let alerts = 0;
  const start = process.hrtime.bigint();
  for (let from = 0; from < COUNT; from += BLOB) {
    const blob = Array.from({ length: Math.min(BLOB, COUNT - from) }, (_, k) => {
      const i = from + k;
      const r = variant(templates[i % templates.length]!, i);
      r.CreationTime = new Date(Date.UTC(2025, 0, 1) + i * step).toISOString().slice(0, 19);
      if (typeof r.UserId === 'string') r.UserId = `user${i % 1000}@contoso.example`;
      return r;
    });
    for (let k = blob.length - 1; k > 0; k--) {
      const j = (k * 7919) % (k + 1);
      [blob[k], blob[j]] = [blob[j]!, blob[k]!];
    }
    for (let k = 0; k < blob.length; k++) alerts += detector.process(toEvent(blob[k]!, from + k)).length;
    alerts += detector.flush().length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const stats = detector.stats();
  console.log(
    JSON.stringify({
      eventsPerSecond: COUNT / seconds,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      alerts,
      groups: stats.correlation.groups,
      alertGroups: stats.alertGroups,
    }),
  );
}

const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (BACKFILL) {
  if (!process.env.BENCH_V8_DEFAULTS) applyV8MemoryFlags();
  backfill();
} else {
  const loadAtStart = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  pass(); // warm-up
  const runs = [pass(), pass(), pass()];
  const ratios = runs.map((r) => r.base / r.det);
  const cpuRatios = runs.map((r) => r.baseCpu / r.detCpu);
  const correlations = rules.filter((r) => r.kind === 'correlation').length;
  console.log(
    `Events: ${COUNT.toLocaleString('en')} (from ${templates.length} fixture templates, 500 users, 3 tenants, fed in chunks of ${CHUNK.toLocaleString('en')}); rules: ${rules.length} (${correlations} correlations); regex engine: ${regexEngine}; load average at start: ${loadAtStart}\n`,
  );
  console.log(
    '| Run | normalize() events/s (baseline) | detection events/s | ratio | normalize() CPU µs/event | detection CPU µs/event | CPU ratio |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const perEvent = (seconds: number) => ((seconds * 1e6) / COUNT).toFixed(1);
  for (const [i, r] of runs.entries()) {
    console.log(
      `| ${i + 1} | ${Math.round(COUNT / r.base).toLocaleString('en')} | ${Math.round(COUNT / r.det).toLocaleString('en')} | ${ratios[i]!.toFixed(2)} | ${perEvent(r.baseCpu)} | ${perEvent(r.detCpu)} | ${cpuRatios[i]!.toFixed(2)} |`,
    );
  }
  console.log(
    `\nRatio median ${median(ratios).toFixed(2)}, spread ${spread(ratios)} (CPU time: median ${median(cpuRatios).toFixed(2)}, spread ${spread(cpuRatios)}); alerts per pass: ${runs[0]!.alerts}; correlation groups at end: ${runs[0]!.groups}; peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );

  const backfills = [0, 1, 2].map(() => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', new URL(import.meta.url).pathname, '--backfill', String(BACKFILL_COUNT)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`backfill failed: ${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as {
      eventsPerSecond: number;
      rssMiB: number;
      alerts: number;
      groups: number;
      alertGroups: number;
    };
  });
  console.log(
    `7-day backfill of ${BACKFILL_COUNT.toLocaleString('en')} events through normalize + detection (own process each):\n`,
  );
  console.log('| Run | events/s | peak RSS (MiB) | alerts | correlation groups at end | alert groups at end |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const [i, b] of backfills.entries()) {
    console.log(
      `| ${i + 1} | ${Math.round(b.eventsPerSecond).toLocaleString('en')} | ${b.rssMiB.toFixed(0)} | ${b.alerts} | ${b.groups} | ${b.alertGroups} |`,
    );
  }
  const rss = backfills.map((b) => b.rssMiB);
  console.log(
    `\nPeak RSS ${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} MiB (bound: 512 MiB; V8 settings: ${process.env.BENCH_V8_DEFAULTS ? "V8's defaults" : "o365-intake run's"}); load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
