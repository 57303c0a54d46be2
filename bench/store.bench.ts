// The embedded store at scale: fills a store with STORE_BENCH_EVENTS events (default 10,000,000) of realistic
// processed events (emulator records, normalized to ECS and GeoIP-enriched like the pipeline does) in batches of
// 500, 30 days of event time; then times the searches of the events page through the real API (worker threads).
// Baseline in the same run: the schema-1 insert path (bench/support/legacy-store.ts) and JSON.stringify of the
// ECS + raw documents, on the same events.
// Usage: STORE_BENCH_EVENTS=1000000 node --import tsx bench/store.bench.ts   (keep STORE_BENCH_DIR to reuse a store)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessedEvent } from '../src/core/processed-event.ts';
import { storeSchema } from '../src/store/config.ts';
import { openEventStore, type SqliteEventStore } from '../src/store/event-store.ts';
import { SCHEMA_VERSION } from '../src/store/schema.ts';
import { eventAt, eventTemplates } from './support/generated-events.ts';
import { openLegacyStore } from './support/legacy-store.ts';

const TOTAL = Number(process.env.STORE_BENCH_EVENTS ?? 10_000_000);
const BATCH = 500;
const BASELINE_EVENTS = Math.min(200_000, TOTAL);
const SPAN_MS = 30 * 86_400_000;
const NOW = Date.parse('2026-11-24T12:00:00Z');
const WINDOW = Math.max(BATCH, Math.min(1_000_000, Math.floor(TOTAL / 10)));

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const templates = eventTemplates(2000);
const eventTime = (n: number) => NOW - SPAN_MS + Math.floor((n * SPAN_MS) / TOTAL);
/**
 * The raw record's text comes with each event, as the pipeline hands it over (the blob parser keeps each record's text
 * as received); made here outside the timed insert, like the parse is outside the store in the pipeline.
 */
function batchAt(start: number, size: number): ProcessedEvent[] {
  const out: ProcessedEvent[] = [];
  for (let n = start; n < start + size; n++) {
    const event = eventAt(templates[n % templates.length]!, n, eventTime(n));
    event.rawText = JSON.stringify(event.raw);
    out.push(event);
  }
  return out;
}

function fileBytes(path: string): number {
  let total = 0;
  for (const suffix of ['', '-wal']) {
    try {
      total += statSync(path + suffix).size;
    } catch {}
  }
  return total;
}

/** CPU µs per event of `insert` over BASELINE_EVENTS events, in batches. */
function measureInsert(insert: (events: ProcessedEvent[]) => void, count: number): number {
  let cpu = 0;
  for (let n = 0; n < count; n += BATCH) {
    const batch = batchAt(n, Math.min(BATCH, count - n));
    const before = cpuMicros();
    insert(batch);
    cpu += cpuMicros() - before;
  }
  return cpu / count;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

/** Median of 3 wall-clock runs, and the worst event-loop lag of the main thread seen during them. */
async function latency(fn: () => Promise<unknown>): Promise<{ median: number; runs: number[]; lag: number }> {
  let lag = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 10);
    last = now;
  }, 10);
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push((await timed(fn)).ms);
  clearInterval(ticker);
  const sorted = [...runs].sort((a, b) => a - b);
  return { median: sorted[1]!, runs, lag };
}

async function main(): Promise<void> {
  const dir = process.env.STORE_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'store-bench-'));
  const path = join(dir, 'events.db');
  const legacyPath = join(dir, 'legacy.db');
  rmSync(legacyPath, { force: true });

  // Baselines on the first BASELINE_EVENTS events.
  const stringify = measureInsert((events) => {
    for (const e of events) JSON.stringify([e.ecs, e.raw]);
  }, BASELINE_EVENTS);
  const legacy = openLegacyStore(legacyPath);
  const legacyCpu = measureInsert((events) => legacy.insertEvents(events), BASELINE_EVENTS);
  legacy.close();
  const legacyBytes = fileBytes(legacyPath) / BASELINE_EVENTS;
  rmSync(legacyPath, { force: true });
  for (const suffix of ['-wal', '-shm']) rmSync(legacyPath + suffix, { force: true });

  const store: SqliteEventStore = openEventStore(
    storeSchema.parse({ path, max_events: 100_000_000, max_size_mb: 1_000_000, retention: '3650d' }),
    { now: () => NOW },
  );
  const already = store.countEvents();
  const windows: { at: number; cpuPerEvent: number }[] = [];
  const fillStart = performance.now();
  let windowCpu = 0;
  let windowEvents = 0;
  for (let n = already; n < TOTAL; n += BATCH) {
    const batch = batchAt(n, Math.min(BATCH, TOTAL - n));
    const before = cpuMicros();
    store.insertEvents(batch, NOW);
    // The event loop turns between batches, as in the pipeline: lz4-napi frees the buffers it returned through
    // finalizers that run only then (a fill loop that never yielded grew to 8 GB at 10M events). Timed with the insert.
    await new Promise((resolve) => setImmediate(resolve));
    windowCpu += cpuMicros() - before;
    windowEvents += batch.length;
    if (windowEvents >= WINDOW || n + BATCH >= TOTAL) {
      windows.push({ at: n + batch.length, cpuPerEvent: windowCpu / windowEvents });
      process.stderr.write(`store bench: ${n + batch.length} events, ${(windowCpu / windowEvents).toFixed(1)} µs CPU/event\n`);
      windowCpu = 0;
      windowEvents = 0;
    }
  }
  const fillSeconds = (performance.now() - fillStart) / 1000;
  const stored = store.countEvents();
  const bytes = fileBytes(path) / stored;

  const sample = templates.find((t) => typeof (t.ecs.user as { name?: string } | undefined)?.name === 'string')!;
  const userPrefix = `${(sample.ecs.user as { name: string }).name.slice(0, 5)}*`;
  const tenant = templates[0]!.tenantName;
  const day = { from: NOW - 86_400_000, to: NOW + 1 };
  const week = { from: NOW - 7 * 86_400_000, to: NOW + 1 };
  const all = { from: NOW - SPAN_MS, to: NOW + 1 };
  const tailFrom = String(Math.max(0, Number((await store.tailEvents({}, undefined)).cursor) - 1000));
  const cases: { kind: string; label: string; run: () => Promise<unknown> }[] = [
    { kind: 'page', label: 'all events, last 24 h (exact total)', run: () => store.searchEvents(day) },
    {
      kind: 'filtered page',
      label: '`event.outcome:failure` (all time)',
      run: () => store.searchEvents({ q: 'event.outcome:failure' }),
    },
    { kind: 'filtered page', label: `tenant ${tenant}, last 24 h`, run: () => store.searchEvents({ tenant, ...day }) },
    {
      kind: 'filtered page',
      label: '`source.geo.country_iso_code:FR AND event.category:authentication`, last 7 d',
      run: () => store.searchEvents({ q: 'source.geo.country_iso_code:FR AND event.category:authentication', ...week }),
    },
    {
      kind: 'filtered page',
      label: `\`user.name:${userPrefix}\`, last 24 h`,
      run: () => store.searchEvents({ q: `user.name:${userPrefix}`, ...day }),
    },
    {
      kind: 'filtered page',
      label: `tenant ${tenant}, last 7 d, oldest first (order=asc)`,
      run: () => store.searchEvents({ tenant, ...week, order: 'asc' }),
    },
    {
      kind: 'filtered page',
      label: '`event.outcome:failure`, all time, page 2 oldest first',
      run: async () => {
        const first = await store.searchEvents({ q: 'event.outcome:failure', order: 'asc' });
        return store.searchEvents({
          q: 'event.outcome:failure',
          order: 'asc',
          ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
        });
      },
    },
    {
      kind: 'live tail',
      label: `tenant ${tenant}, the last 1,000 events ingested`,
      run: () => store.tailEvents({ tenant }, tailFrom),
    },
    { kind: 'full text', label: '`downloaded` (all time)', run: () => store.searchEvents({ q: 'downloaded' }) },
    {
      kind: 'full text',
      label: '`"Safe Links" OR notes.txt`, last 7 d',
      run: () => store.searchEvents({ q: '"Safe Links" OR notes.txt', ...week }),
    },
    { kind: 'histogram', label: 'all events, 30 d, 12 h buckets', run: () => store.histogram(all, 12 * 3_600_000) },
    {
      kind: 'histogram',
      label: '`event.outcome:failure`, 30 d',
      run: () => store.histogram({ q: 'event.outcome:failure', ...all }, 12 * 3_600_000),
    },
    { kind: 'facet', label: 'top users, last 24 h', run: () => store.topValues(day, 'user', 5) },
  ];
  const results: { kind: string; label: string; median: number; runs: number[]; lag: number }[] = [];
  for (const c of cases) results.push({ kind: c.kind, label: c.label, ...(await latency(c.run)) });
  await store.close();

  const first = windows[0];
  const lastWindow = windows.at(-1);
  const rss = process.resourceUsage().maxRSS / 1024;
  const insertLines =
    first && lastWindow
      ? [
          `Store of ${stored.toLocaleString('en')} events (batches of ${BATCH}, filled in ${fillSeconds.toFixed(0)} s, ${Math.round(
            (stored - already) / fillSeconds,
          ).toLocaleString('en')} events/s), peak RSS ${rss.toFixed(0)} MB.`,
          '',
          '| insert | µs CPU / event | bytes / event on disk |',
          '|---|---:|---:|',
          `| format ${SCHEMA_VERSION}, first ${first.at.toLocaleString('en')} | ${first.cpuPerEvent.toFixed(1)} | |`,
          `| format ${SCHEMA_VERSION}, last window (to ${lastWindow.at.toLocaleString('en')}) | ${lastWindow.cpuPerEvent.toFixed(1)} | ${bytes.toFixed(0)} |`,
          `| baseline: schema 1 insert, first ${BASELINE_EVENTS.toLocaleString('en')} | ${legacyCpu.toFixed(1)} | ${legacyBytes.toFixed(0)} |`,
          `| baseline: JSON.stringify of ECS + raw only | ${stringify.toFixed(1)} | |`,
          '',
          `Ratios: insert CPU ${(lastWindow.cpuPerEvent / legacyCpu).toFixed(2)}× schema 1 (last window), ${(
            first.cpuPerEvent / legacyCpu
          ).toFixed(2)}× (first); ${(lastWindow.cpuPerEvent / stringify).toFixed(2)}× a JSON.stringify; flatness last/first ${(
            lastWindow.cpuPerEvent / first.cpuPerEvent
          ).toFixed(2)}; bytes ${(bytes / legacyBytes).toFixed(2)}× schema 1.`,
          '',
          `CPU per event by window: ${windows.map((w) => `${(w.at / 1e6).toFixed(1)}M ${w.cpuPerEvent.toFixed(1)}`).join(', ')}`,
        ]
      : [
          `Store of ${stored.toLocaleString('en')} events reused from STORE_BENCH_DIR (nothing inserted in this run), ${bytes.toFixed(
            0,
          )} bytes/event (schema 1: ${legacyBytes.toFixed(0)}), peak RSS ${rss.toFixed(0)} MB.`,
        ];
  const lines = [
    ...insertLines,
    '',
    '| search (through the worker pool) | median ms | 3 runs (ms) | worst main-loop lag (ms) |',
    '|---|---:|---|---:|',
    ...results.map(
      (r) =>
        `| ${r.kind}: ${r.label} | ${r.median.toFixed(0)} | ${r.runs.map((x) => x.toFixed(0)).join(' / ')} | ${r.lag.toFixed(0)} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (!process.env.STORE_BENCH_DIR) rmSync(dir, { recursive: true, force: true });
}

await main();
