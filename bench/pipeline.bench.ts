// End to end on loopback: the emulator (same process) publishes a backlog for TENANTS tenants over the 5 content
// types; the collector (SQLite state) fetches it through the Pipeline into an NDJSON file until every published id
// is delivered. Baseline: format raw, file sink only. Measured: the default product path (ECS, GeoIP enrichment,
// bundled Sigma rules with their correlation state committed with each checkpoint, embedded store written by its
// writer thread, as `o365-intake run` does, same file sink), and the same with the store written inline on the main
// thread (what the product did before the writer thread). Exits non-zero unless every id is written exactly once.
// Usage: node --import tsx bench/pipeline.bench.ts [tenants] [eventsPerTenant]; BENCH_CPU_PROF=<file.cpuprofile>
// writes <file>.full.cpuprofile and <file>.full-inline.cpuprofile: CPU profiles of the full runs' collection only
// (warm-up and baseline left out; see scripts/cpu-profile-stages.mjs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_TYPES } from '../src/core/content-types.ts';
import type { ContentType } from '../src/core/content-types.ts';
import type { AuditRecord } from '../src/core/audit-record.ts';
import { collectionSchema, tenantSchema } from '../src/collector/config.ts';
import { createCollector } from '../src/collector/index.ts';
import { exactlyOnceProblems } from '../src/collector/testing/output-file.ts';
import { type Detector, detectionSchema, detectorFromConfig } from '../src/detect/index.ts';
import { createTenantContext, generateScenario, Rng, startEmulator, type Emulator } from '../src/emulator/index.ts';
import { enricherFromConfig, enrichmentSchema } from '../src/enrich/index.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { Pipeline, type PipelineOptions } from '../src/pipeline/pipeline.ts';
import { FileSink } from '../src/sinks/file.ts';
import { SqliteStateStore } from '../src/state/index.ts';
import { storeSchema } from '../src/store/config.ts';
import { type EventStore, openEventStore } from '../src/store/event-store.ts';
import { summarizeOutput } from './support/output-ids.ts';

const TENANTS = Number(process.argv[2] ?? 5);
const EVENTS_PER_TENANT = Number(process.argv[3] ?? 10_000);
/** Attack scenarios mixed into each tenant's backlog, so the detector has something to find. */
const SCENARIOS_PER_TENANT = 3;
const RECORDS_PER_BLOB = 200;
const MAX_CYCLES = 400;
const TIMEOUT_MS = 150_000;
const guid = (kind: string, i: number): string => `${kind}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;

type Variant = 'baseline' | 'full-inline' | 'full';

interface Size {
  tenants: number;
  eventsPerTenant: number;
}

interface Result {
  variant: Variant;
  events: number;
  /** Events in the embedded store after the run (full path only). */
  stored?: number;
  seconds: number;
  /** CPU time of the whole process over the same span (collector, pipeline and the in-process emulator), µs. */
  cpuMicros: number;
  cycles: number;
  alerts: number;
  deadLetters: number;
  problems: string[];
  /** RSS once the backlog is published, before collecting: mostly the emulator's blobs. */
  rssBeforeBytes: number;
  /** Process-wide peak RSS (bytes) once this run ended: a high-water mark, so it includes earlier runs. */
  peakRssBytes: number;
}

/** Publishes the backlog (realistic records plus a few attack scenarios) ten minutes in the past. */
function publishBacklog(emulator: Emulator, tenantIds: string[], eventsPerTenant: number): number {
  const contentCreated = Date.now() - 10 * 60_000;
  const rng = new Rng(7);
  for (const [i, tenantId] of tenantIds.entries()) {
    emulator.generate(tenantId, eventsPerTenant, { recordsPerBlob: RECORDS_PER_BLOB, contentCreated });
    const context = createTenantContext(tenantId, { name: `t${i}` });
    const byType = new Map<ContentType, AuditRecord[]>();
    for (let s = 0; s < SCENARIOS_PER_TENANT; s++) {
      for (const { contentType, record } of generateScenario(rng, context, contentCreated - s * 60_000)) {
        byType.set(contentType, [...(byType.get(contentType) ?? []), record]);
      }
    }
    for (const [contentType, records] of byType)
      emulator.publish(tenantId, contentType, records, { recordsPerBlob: RECORDS_PER_BLOB, contentCreated });
  }
  return tenantIds.reduce((n, t) => n + emulator.publishedIds(t).size, 0);
}

function pipelineParts(
  variant: Variant,
  dir: string,
): { options: Omit<PipelineOptions, 'sinks' | 'logger'>; store?: EventStore; detector?: Detector } {
  if (variant === 'baseline') return { options: { format: 'raw' } };
  const { detector, errors } = detectorFromConfig(detectionSchema.parse({}), silentLogger);
  if (errors.length > 0) throw new Error(`bundled rules did not load: ${errors.map((e) => e.message).join('; ')}`);
  const config = { ...storeSchema.parse({}), path: join(dir, 'events.db') };
  const store = variant === 'full' ? openEventStore(config, { writer: 'thread' }) : openEventStore(config);
  return {
    options: { format: 'ecs', enrich: enricherFromConfig(enrichmentSchema.parse({})), detector, store },
    store,
    detector,
  };
}

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

async function stopProfiler(session: Session, file: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  session.disconnect();
}

async function run(variant: Variant, size: Size): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), `pipeline-bench-${variant}-`));
  const emulator = await startEmulator({
    seed: 42,
    tenants: Array.from({ length: size.tenants }, (_, i) => ({
      tenantId: guid('eeee', i),
      name: `t${i}`,
      apps: [{ clientId: guid('ffff', i), clientSecret: `secret-${i}` }],
    })),
  });
  const tenantIds = Array.from({ length: size.tenants }, (_, i) => guid('eeee', i));
  const state = new SqliteStateStore(join(dir, 'state.db'));
  const { options, store, detector } = pipelineParts(variant, dir);
  if (detector) {
    // As `o365-intake run` does: correlation and alert-group state is committed with every checkpoint.
    detector.restore(await state.loadDetectionState());
    state.attachDetectionState(detector);
  }
  const output = join(dir, 'out.ndjson');
  const pipeline = new Pipeline({
    ...options,
    sinks: [new FileSink({ name: 'file', path: output, logger: silentLogger })],
    logger: silentLogger,
  });
  await state.recordBaselinePositions(await pipeline.open(await state.sinkPositions()));
  const tenants = tenantIds.map((tenantId, i) =>
    tenantSchema.parse({
      name: `t${i}`,
      tenant_id: tenantId,
      client_id: guid('ffff', i),
      client_secret: `secret-${i}`,
      login_url: emulator.url,
      api_url: emulator.url,
    }),
  );
  const collection = collectionSchema.parse({
    listing_delay: 0,
    backfill: '1h',
    settle_window: '1h',
    retry_base_delay: '100ms',
    retry_max_delay: '1s',
  });
  const collector = createCollector({
    config: { tenants, collection },
    stateStore: state,
    delivery: pipeline,
    logger: silentLogger,
    ca: emulator.caPem,
  });
  try {
    const expected = publishBacklog(emulator, tenantIds, size.eventsPerTenant);
    const rssBeforeBytes = process.memoryUsage().rss;
    const profiler = variant !== 'baseline' && process.env.BENCH_CPU_PROF ? await startProfiler() : undefined;
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let delivered = 0;
    let cycles = 0;
    while (delivered < expected) {
      if (cycles >= MAX_CYCLES || performance.now() - started > TIMEOUT_MS) break;
      const results = await collector.runOnce();
      cycles += 1;
      const failed = results.find((r) => r.error);
      if (failed?.error)
        throw new Error(`${variant}: tenant ${failed.tenant} failed: ${failed.error.code} ${failed.error.message}`);
      delivered += results.reduce((n, r) => n + r.eventsDelivered, 0);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    if (profiler)
      await stopProfiler(profiler, String(process.env.BENCH_CPU_PROF).replace(/(\.cpuprofile)?$/, `.${variant}.cpuprofile`));
    // Alerts of correlation windows the watermark closed are stored (they would reach the sinks with the next batch).
    const flushedAlerts = await pipeline.flushDetections();
    const summary = await summarizeOutput(output);
    const expectedIds = tenantIds.flatMap((t) => [...emulator.publishedIds(t)].map((id) => `${t}:${id}`));
    const problems = exactlyOnceProblems(summary.eventCounts, expectedIds);
    const stored = await store?.countEvents();
    if (stored !== undefined && stored !== expected) problems.push(`${stored} of ${expected} events in the embedded store`);
    return {
      variant,
      events: expected,
      ...(stored !== undefined ? { stored } : {}),
      seconds,
      cpuMicros: cpu.user + cpu.system,
      cycles,
      alerts: summary.alerts + flushedAlerts,
      deadLetters: summary.deadLetters,
      problems,
      rssBeforeBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    await collector.stop();
    await pipeline.close();
    await store?.close();
    await state.close();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Warm-up (not reported): loads the code paths, TLS and token acquisition once, so the first measured run is not penalized.
await run('full', { tenants: 1, eventsPerTenant: 1000 });
const baseline = await run('baseline', { tenants: TENANTS, eventsPerTenant: EVENTS_PER_TENANT });
const inline = await run('full-inline', { tenants: TENANTS, eventsPerTenant: EVENTS_PER_TENANT });
const full = await run('full', { tenants: TENANTS, eventsPerTenant: EVENTS_PER_TENANT });
const rate = (r: Result): number => r.events / r.seconds;
const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);
const load = (): string => (process.platform === 'linux' ? (readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?') : '?');

console.log(
  `${TENANTS} tenants × ${CONTENT_TYPES.length} content types, ${EVENTS_PER_TENANT} generated events per tenant (+ ${SCENARIOS_PER_TENANT} attack scenarios each), ` +
    `${RECORDS_PER_BLOB} records per blob, loopback HTTPS; time from the first collector cycle to the last event delivered (SQLite state, ` +
    `fsync'd NDJSON file sink). The emulator runs in the same process, so its memory (the published blobs) is in both RSS figures; ` +
    `"RSS before collecting" is taken once the backlog is published, "peak RSS" is the process high-water mark after each run ` +
    `(the full run's figure is the peak of both). A small warm-up run precedes both and is not reported. Load average (1 min) at the end: ${load()}.\n`,
);
console.log(
  '| path | events | seconds | events/s | ratio vs baseline | CPU µs/event (process, emulator included) | collector cycles | alerts | dead letters | events in store | exactly once | RSS before collecting (MB) | peak RSS (MB) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const LABELS: Record<Variant, string> = {
  baseline: 'baseline: raw → file',
  'full-inline': 'full, store written on the main thread',
  full: 'full: ECS + GeoIP + Sigma + store (writer thread) → file',
};
for (const r of [baseline, inline, full]) {
  const label = LABELS[r.variant];
  const once = r.problems.length === 0 ? 'yes' : `NO: ${r.problems.join('; ')}`;
  console.log(
    `| ${label} | ${r.events} | ${r.seconds.toFixed(1)} | ${rate(r).toFixed(0)} | ${(rate(r) / rate(baseline)).toFixed(2)} | ${(r.cpuMicros / r.events).toFixed(0)} | ${r.cycles} | ${r.alerts} | ${r.deadLetters} | ${r.stored ?? '—'} | ${once} | ${mb(r.rssBeforeBytes)} | ${mb(r.peakRssBytes)} |`,
  );
}
if ([baseline, inline, full].some((r) => r.problems.length > 0)) process.exit(1);
