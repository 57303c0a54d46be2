// The emulator in a process of its own, so what a benchmark measures of the collector is the collector alone.
// Usage (spawned by startEmulatorProcess): node --import tsx bench/support/emulator-process.ts '<json options>'
// Prints one JSON line {url, caPem, expected} once the backlog is published, then publishes `live` records spread over
// `liveSeconds`, and prints {"live":"done", expected} when it has. A line "stats" on stdin prints {"stats": …}
// (requests served by kind). Stops on SIGTERM.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ContentType } from '../../src/core/content-types.ts';
import { Rng, startEmulator } from '../../src/emulator/index.ts';
import type { Emulator, EmulatorStats } from '../../src/emulator/types.ts';

export interface EmulatorProcessOptions {
  tenants: number;
  contentTypes: ContentType[];
  backlog: number;
  live?: number;
  liveSeconds?: number;
  recordsPerBlob?: number;
  seed?: number;
  /** Also publishes one streamed blob of at least this many bytes for the first tenant (its first content type). */
  hugeBlobBytes?: number;
  /**
   * Also publishes, for the first tenant, a history of about `records` records spread evenly over the past `days`
   * (from `days` ago + 1 h to 10 min ago) in blobs of 50–1,950 records over the content types in turn (see
   * `publishHistory`).
   */
  history?: { records: number; days: number };
}

export const benchGuid = (kind: string, i: number): string => `${kind}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;
export const benchTenant = (i: number) => ({
  name: `t${i}`,
  tenantId: benchGuid('eeee', i),
  clientId: benchGuid('ffff', i),
  secret: `secret-${i}`,
});

export interface EmulatorProcess {
  url: string;
  caPem: string;
  pid: number;
  /** Total records published so far (backlog, then backlog + live once `liveDone` resolved). */
  expected: number;
  liveDone: Promise<number>;
  stats(): Promise<EmulatorStats>;
  stop(): Promise<void>;
}

export async function startEmulatorProcess(options: EmulatorProcessOptions): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const statsWaiters: ((s: EmulatorStats) => void)[] = [];
  let resolveLive: (n: number) => void = () => undefined;
  const liveDone = new Promise<number>((r) => (resolveLive = r));
  const first = await new Promise<{ url: string; caPem: string; expected: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { url?: string; caPem?: string; expected: number; live?: string; stats?: EmulatorStats };
      if (msg.stats) statsWaiters.shift()?.(msg.stats);
      else if (msg.live) resolveLive(msg.expected);
      else resolve(msg as { url: string; caPem: string; expected: number });
    });
  });
  return {
    ...first,
    pid: child.pid ?? 0,
    liveDone,
    stats: () =>
      new Promise<EmulatorStats>((resolve) => {
        statsWaiters.push(resolve);
        child.stdin.write('stats\n');
      }),
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * A long history without holding it in memory: each blob is a templated blob of the emulator (`publishHugeBlob`: 64
 * realistic records cycled, each copy with its own GUID Id, serialized when served), so the emulator keeps only the
 * Ids. Blobs are sized in bytes; the bytes per record of each content type are learnt from the blobs published so far,
 * so the sizes come out near the 50–1,950 records drawn. Stops at the first blob that reaches `records` in total.
 */
function publishHistory(
  emulator: Emulator,
  tenantId: string,
  contentTypes: readonly ContentType[],
  history: { records: number; days: number },
  seed: number,
): void {
  const rng = new Rng(seed);
  const now = Date.now();
  const first = now - history.days * DAY_MS + 3_600_000;
  const span = now - 10 * 60_000 - first;
  const blobs = Math.max(1, Math.round(history.records / 1000));
  const bytesPerRecord = new Map<ContentType, number>();
  let published = 0;
  for (let i = 0; published < history.records; i++) {
    const contentType = contentTypes[i % contentTypes.length] as ContentType;
    const wanted = Math.min(rng.int(50, 1950), history.records - published);
    const before = emulator.stats().recordsPublished;
    const created = first + Math.min(span, Math.floor((span * i) / blobs));
    emulator.publishHugeBlob(tenantId, contentType, wanted * (bytesPerRecord.get(contentType) ?? 1200), created);
    const got = emulator.stats().recordsPublished - before;
    const perRecord = (wanted * (bytesPerRecord.get(contentType) ?? 1200)) / got;
    bytesPerRecord.set(contentType, perRecord);
    published += got;
  }
}

async function main(options: EmulatorProcessOptions): Promise<void> {
  const tenants = Array.from({ length: options.tenants }, (_, i) => benchTenant(i));
  const emulator = await startEmulator({
    seed: options.seed ?? 42,
    tenants: tenants.map((t) => ({
      tenantId: t.tenantId,
      name: t.name,
      apps: [{ clientId: t.clientId, clientSecret: t.secret }],
    })),
  });
  const recordsPerBlob = options.recordsPerBlob ?? 200;
  const contentCreated = Date.now() - 10 * 60_000;
  const count = () => tenants.reduce((n, t) => n + emulator.publishedIds(t.tenantId).size, 0);
  for (const t of tenants) {
    if (options.backlog > 0)
      emulator.generate(t.tenantId, options.backlog, { contentTypes: options.contentTypes, recordsPerBlob, contentCreated });
  }
  const [first] = tenants;
  const [hugeType] = options.contentTypes;
  // Created with the backlog, not now: a blob created in the very second a collector lists (window ends are whole
  // seconds) is only found by its next poll, a minute later, which is what a benchmark would then measure.
  if (options.hugeBlobBytes && first && hugeType)
    emulator.publishHugeBlob(first.tenantId, hugeType, options.hugeBlobBytes, contentCreated);
  if (options.history && first)
    publishHistory(emulator, first.tenantId, options.contentTypes, options.history, options.seed ?? 42);
  process.stdout.write(`${JSON.stringify({ url: emulator.url, caPem: emulator.caPem, expected: count() })}\n`);
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify({ stats: emulator.stats(), expected: count() })}\n`);
  });
  const live = options.live ?? 0;
  const steps = Math.max(1, options.liveSeconds ?? 10);
  for (let s = 0; s < steps && live > 0; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    const n = Math.floor(live / steps) + (s === steps - 1 ? live % steps : 0);
    for (const t of tenants)
      emulator.generate(t.tenantId, n, { contentTypes: options.contentTypes, recordsPerBlob: Math.min(recordsPerBlob, 50) });
  }
  process.stdout.write(`${JSON.stringify({ live: 'done', expected: count() })}\n`);
  process.once('SIGTERM', () => void emulator.stop().then(() => process.exit(0)));
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  await main(JSON.parse(process.argv[2] ?? '{}') as EmulatorProcessOptions);
}
