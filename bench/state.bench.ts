// State store under a long backfill: one tenant, 4 content types, 7 days of blobs (50–1,950 records each, 1% of records
// repeating an earlier id: duplicates by design), driven as the collector drives it (enqueue a listing, take due blobs,
// batches of 1,000 records, filterSeen → commitBatches with blob progress and a sink position, one batch per commit or
// GROUP batches per group commit, prune every simulated hour). No network, no sink. Baseline in the same run: the schema-1 dedup path (bench/support/schema1-state.ts).
// Reports events/s per fifth of the records (per million for 5M) (flat = no slowdown as the tables grow), bytes of state file per delivered
// event after a checkpoint, peak RSS. Exactly-once is checked: delivered = distinct ids generated (counted by the
// generator, so the harness keeps no growing set of ids whose GC cost would grow with the run).
// Usage: node --import tsx bench/state.bench.ts [events=5000000] [runs=3] [clock=backfill|live] [group=8]
//   backfill: delivered now, every id remembered until now + 8 days (one or two day buckets);
//   live: as if each hour were collected when it happened, so by the end 8 day buckets are live (every lookup probes them).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStateStore } from '../src/state/sqlite-state-store.ts';
import type { ListedBlob, StateStore, StreamKey } from '../src/state/state-store.ts';
import { Schema1State } from './support/schema1-state.ts';

const TOTAL = Number(process.argv[2] ?? 5_000_000);
const RUNS = Number(process.argv[3] ?? 3);
const CLOCK = (process.argv[4] ?? 'backfill') as 'backfill' | 'live';
/** Batches per group commit (the collector's default limit, DEFAULT_GROUP_LIMITS, is 8 batches / 8,000 records). */
const GROUP = Number(process.argv[5] ?? 8);
const DAY = 86_400_000;
const HOUR = 3_600_000;
const DEDUP_TTL = 8 * DAY;
const BATCH = 1000;
/** Events/s is reported per fifth of the records (per million for 5M). */
const STEP = Math.floor(TOTAL / 5);
const TENANT = 'b5e6f7a8-1111-4222-8333-944455566677';
const CONTENT_TYPES = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General'];

type Store = Pick<StateStore, 'enqueueBlobs' | 'dueBlobs' | 'filterSeen' | 'commitBatches' | 'close'> & {
  prune(now: number): Promise<unknown>;
};

/** mulberry32: the same workload for both stores. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

interface Blob extends ListedBlob {
  ids: string[];
}

/** Blobs of each hour of the 7 days, per content type, until TOTAL records; ids are `${tenant}:${GUID}`. */
function* hours(start: number, generated: { distinct: number }): Generator<{ end: number; blobs: Map<string, Blob[]> }> {
  const random = prng(15);
  const guid = () => {
    const a = hex8(random() * 2 ** 32);
    const b = hex8(random() * 2 ** 32);
    const c = hex8(random() * 2 ** 32);
    const d = hex8(random() * 2 ** 32);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-a${c.slice(1, 4)}-${c.slice(4)}${d}`;
  };
  const recent: string[] = [];
  let produced = 0;
  let blobNo = 0;
  const hourCount = 7 * 24;
  const perHour = Math.ceil(TOTAL / hourCount);
  for (let h = 0; h < hourCount && produced < TOTAL; h++) {
    const blobs = new Map<string, Blob[]>(CONTENT_TYPES.map((t) => [t, []]));
    let inHour = 0;
    while (inHour < perHour && produced < TOTAL) {
      const size = Math.min(50 + Math.floor(random() * 1900), TOTAL - produced);
      const ids: string[] = [];
      for (let i = 0; i < size; i++) {
        const repeat = recent.length > 0 && random() < 0.01;
        const id = repeat ? (recent[Math.floor(random() * recent.length)] as string) : `${TENANT}:${guid()}`;
        ids.push(id);
        if (!repeat) {
          generated.distinct += 1;
          if (recent.length < 50_000) recent.push(id);
          else recent[Math.floor(random() * recent.length)] = id;
        }
      }
      const created = start + h * HOUR + Math.floor(random() * HOUR);
      const contentId = `20261124${String(blobNo++).padStart(10, '0')}$${created}$audit_general$Audit_General$na0034`;
      (blobs.get(CONTENT_TYPES[blobNo % CONTENT_TYPES.length] as string) as Blob[]).push({
        contentId,
        contentUri: `https://manage.office.com/api/v1.0/${TENANT}/activity/feed/audit/${contentId}`,
        contentCreated: created,
        expiration: created + 7 * DAY,
        ids,
      });
      produced += size;
      inHour += size;
    }
    yield { end: start + (h + 1) * HOUR, blobs };
  }
}

/** Bytes this process caused to be written to storage (write_bytes less cancelled_write_bytes, /proc/self/io). */
const writtenBytes = (): number => {
  const io = readFileSync('/proc/self/io', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(io)?.[1] ?? 0);
  return field('write_bytes') - field('cancelled_write_bytes');
};
const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface RunResult {
  delivered: number;
  distinct: number;
  perStep: number[];
  /** CPU µs per record, per fifth. */
  cpuPerStep: number[];
  seconds: number;
  writtenPerEvent: number;
  cpuSeconds: number;
  bytesPerEvent: number;
}

async function run(open: (path: string) => Store, group: number): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'state-bench-'));
  const path = join(dir, 'state.db');
  const store = open(path);
  const start = Date.now() - 7 * DAY;
  const generated = { distinct: 0 };
  let delivered = 0;
  let records = 0;
  let position = 0;
  const perStep: number[] = [];
  const cpuPerStep: number[] = [];
  const written0 = writtenBytes();
  let cpuMark = cpuMicros();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let mark = t0;
  let nextMark = STEP;
  let markRecords = 0;
  for (const hour of hours(start, generated)) {
    const now = CLOCK === 'live' ? hour.end : Date.now();
    for (const [contentType, blobs] of hour.blobs) {
      const key: StreamKey = { tenantId: TENANT, contentType };
      const byId = new Map(blobs.map((b) => [b.contentId, b]));
      await store.enqueueBlobs(key, blobs, now);
      for (;;) {
        const due = await store.dueBlobs(key, now, 16);
        if (due.length === 0) break;
        // Batches of 1,000 records, committed GROUP at a time (one filterSeen, one commitBatches), as the
        // collector's group commit does with the batches waiting for the pipeline.
        const batches = due.flatMap((queued) => {
          const blob = byId.get(queued.contentId) as Blob;
          return Array.from({ length: Math.ceil(blob.ids.length / BATCH) }, (_, n) => ({ blob, i: n * BATCH }));
        });
        for (let g = 0; g < batches.length; g += group) {
          const part = batches.slice(g, g + group);
          const groupIds = part.map(({ blob, i }) => blob.ids.slice(i, i + BATCH));
          const seen = await store.filterSeen(groupIds.flat());
          const inGroup = new Set<string>();
          const commits = part.map(({ blob, i }, n) => {
            const ids = groupIds[n] as string[];
            const fresh = ids.filter((id) => !seen.has(id) && !inGroup.has(id) && inGroup.add(id));
            position += fresh.length * 900;
            delivered += fresh.length;
            records += ids.length;
            return {
              key,
              contentId: blob.contentId,
              delivered: Math.min(i + BATCH, blob.ids.length),
              done: i + BATCH >= blob.ids.length,
              eventIds: fresh,
              seenUntil: now + DEDUP_TTL,
              eventsDelivered: fresh.length,
              positions: { file: String(position) },
              contentCreated: blob.contentCreated,
            };
          });
          await store.commitBatches(commits);
          if (records >= nextMark) {
            const t = performance.now();
            perStep.push((records - markRecords) / ((t - mark) / 1000));
            mark = t;
            const c = cpuMicros();
            cpuPerStep.push((c - cpuMark) / (records - markRecords));
            cpuMark = c;
            markRecords = records;
            nextMark += STEP;
          }
        }
      }
    }
    await store.prune(now);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await store.close(); // checkpoints the WAL into the file
  const bytes = statSync(path).size;
  const writtenPerEvent = (writtenBytes() - written0) / delivered;
  rmSync(dir, { recursive: true, force: true });
  return {
    delivered,
    distinct: generated.distinct,
    perStep,
    cpuPerStep,
    seconds,
    writtenPerEvent,
    cpuSeconds,
    bytesPerEvent: bytes / delivered,
  };
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const spread = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;

const rows: { run: number; schema: string; r: RunResult }[] = [];
for (let runNo = 1; runNo <= RUNS; runNo++) {
  const baseline = await run((path) => new Schema1State(path), 1);
  const single = await run((path) => new SqliteStateStore(path), 1);
  const grouped = await run((path) => new SqliteStateStore(path), GROUP);
  for (const [schema, r] of [
    ['baseline: schema 1 (text ids + expiry index), one batch per commit', baseline],
    ['day buckets, 17-byte keys, one batch per commit', single],
    [`day buckets, 17-byte keys, group commit of ${GROUP} batches`, grouped],
  ] as const) {
    if (r.delivered !== r.distinct) throw new Error(`${schema}: delivered ${r.delivered} of ${r.distinct} distinct ids`);
    rows.push({ run: runNo, schema, r });
  }
}

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);
process.stdout.write(
  `${fmt(TOTAL)} records (${fmt(rows[0]?.r.delivered ?? 0)} distinct, delivered exactly once), clock: ${CLOCK}, ${RUNS} runs.\n\n`,
);
const steps = Array.from({ length: 5 }, (_, i) => `${label(i * STEP)}–${label((i + 1) * STEP)}`);
process.stdout.write(
  `| run | schema | events/s | CPU µs/event | events/s ${steps.join(' | ')} | last/first | CPU µs/record ${steps.join(' | ')} | disk writes KB/event | state bytes/event | ratio bytes | ratio events/s |\n`,
);
process.stdout.write(`|---|---|---:|---:|${'---:|'.repeat(5)}---:|${'---:|'.repeat(5)}---:|---:|---:|---:|\n`);
for (const { run: runNo, schema, r } of rows) {
  const base = rows.find((x) => x.run === runNo)?.r as RunResult;
  const rate = r.delivered / r.seconds;
  const flat = r.perStep.length > 1 ? (r.perStep.at(-1) as number) / (r.perStep[0] as number) : 1;
  process.stdout.write(
    `| ${runNo} | ${schema} | ${fmt(rate)} | ${fmt((r.cpuSeconds / r.delivered) * 1e6, 1)} | ${r.perStep.map((x) => fmt(x)).join(' | ')} | ${fmt(flat, 2)} | ${r.cpuPerStep.map((x) => fmt(x, 1)).join(' | ')} | ${fmt(r.writtenPerEvent / 1024, 1)} | ${fmt(r.bytesPerEvent, 1)} | ${fmt(r.bytesPerEvent / base.bytesPerEvent, 2)} | ${fmt(rate / (base.delivered / base.seconds), 2)} |\n`,
  );
}
for (const schema of new Set(rows.map((x) => x.schema))) {
  const mine = rows.filter((x) => x.schema === schema).map((x) => x.r);
  process.stdout.write(
    `\n${schema}: ${spread(mine.map((r) => r.delivered / r.seconds))} events/s, ${spread(mine.map((r) => r.bytesPerEvent))} bytes/event over ${RUNS} runs.`,
  );
}
process.stdout.write(`\nPeak RSS ${fmt(process.resourceUsage().maxRSS / 1024)} MB.\n`);
