// Normalizer throughput: parseRawRecord + normalize + JSON.stringify of the ECS document, against a baseline of
// JSON.parse + JSON.stringify of the same records measured in the same run. The corpus is built from the
// intake-o365 fixture inputs with varied Ids, times, IPs and users, and from the emulator's record generator (the
// weighted mix of a real tenant: sign-ins, mailbox and file activity, DLP, alerts).
// Then the `o365-intake normalize` CLI over a file of 100k emulator records (NDJSON, and one JSON array), each
// child process against a `node -e` JSON.parse + JSON.stringify of the same file, interleaved in the same run.
// Then AIR records with 10k and 100k entities (the cost per entity must not grow with the count).
// Run: node --import tsx bench/normalize.bench.ts [records]
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { airRecordText } from '../src/normalize/test-support/hostile-records.ts';
import { createTenantContext, generateRecords } from '../src/emulator/records/index.ts';
import { Rng } from '../src/emulator/rng.ts';
import { normalize } from '../src/normalize/normalize.ts';
import { parseRawRecord } from '../src/normalize/parse-raw-record.ts';

const COUNT = Number(process.argv[2] ?? 100_000);
const FIXTURES = new URL('../../shared/fixtures/intake-o365/', import.meta.url);
/** The workloads that make up most of a real tenant's volume. */
const HIGH_VOLUME_TYPES = new Set([1, 2, 3, 4, 6, 8, 14, 15, 25, 36, 50]);

type Template = Record<string, unknown>;

function loadTemplates(): Template[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) =>
        JSON.parse(
          (JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as { input: { message: string } }).input.message,
        ) as Template,
    );
}

function hex(n: number, width: number): string {
  return (n >>> 0).toString(16).padStart(width, '0').slice(-width);
}

/** One varied copy of a template: new Id, CreationTime, ClientIP and user. */
function variant(template: Template, i: number): string {
  const r: Template = { ...template };
  r.Id = `${hex(i * 2654435761, 8)}-${hex(i, 4)}-4${hex(i >> 4, 3)}-8${hex(i * 7, 3)}-${hex(i * 40503, 8)}${hex(i, 4)}`;
  r.CreationTime = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString().slice(0, 19);
  if (typeof r.ClientIP === 'string' && r.ClientIP !== '') {
    r.ClientIP = i % 10 === 0 ? `2001:db8:${hex(i % 65536, 4)}::${hex(i % 251, 2)}` : `198.51.${(i >> 8) % 256}.${i % 256}`;
  }
  if (typeof r.UserId === 'string') r.UserId = `user${i % 500}@contoso.example`;
  if (typeof r.UserKey === 'string') r.UserKey = `1003${hex(i % 500, 12)}`;
  return JSON.stringify(r);
}

function corpus(templates: Template[], count: number): string[] {
  const out: string[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = variant(templates[i % templates.length] as Template, i);
  return out;
}

/** `count` records from the emulator generator, fixed seed and time so every run measures the same corpus. */
function emulatorCorpus(count: number): string[] {
  const tenant = createTenantContext('5b1f6e0c-3c1a-4f43-9a0e-2f9c1d7e8a41', { name: 'Contoso', userCount: 200 });
  const rng = new Rng(20_260_101);
  const lines: string[] = [];
  // In chunks, so that only the JSON text of the whole corpus is held, not every record object at once.
  for (let done = 0; done < count; done += 10_000) {
    const at = Date.UTC(2026, 0, 1) + done * 1000;
    for (const r of generateRecords(Math.min(10_000, count - done), rng, tenant, { at, spreadMs: 3_600_000 }))
      lines.push(JSON.stringify(r.record));
  }
  return lines;
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number;
  /** CPU seconds of the process (user + system): steadier than wall time on a shared machine. */
  cpu: number;
}

function time(fn: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function best(a: Timing, b: Timing): Timing {
  return { wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) };
}

function baseline(lines: readonly string[]): Timing {
  let bytes = 0;
  return time(() => {
    for (const line of lines) bytes += JSON.stringify(JSON.parse(line)).length;
    if (bytes < 0) throw new Error('unreachable');
  });
}

function normalized(lines: readonly string[]): Timing {
  let bytes = 0;
  return time(() => {
    for (const line of lines) {
      const parsed = parseRawRecord(line);
      if (!parsed.ok) throw new Error(parsed.reason);
      bytes += JSON.stringify(normalize(parsed.record)).length;
    }
    if (bytes < 0) throw new Error('unreachable');
  });
}

/** Best of three rounds of each, interleaved, after a warm-up (fills the user-agent and domain caches). */
function measure(lines: readonly string[]): { base: Timing; norm: Timing } {
  baseline(lines.slice(0, 5_000));
  normalized(lines.slice(0, 5_000));
  const worst: Timing = { wall: Infinity, cpu: Infinity };
  let base = worst;
  let norm = worst;
  for (let round = 0; round < 3; round++) {
    base = best(base, baseline(lines));
    norm = best(norm, normalized(lines));
  }
  return { base, norm };
}

const templates = loadTemplates();
const mixes: Array<[string, () => string[]]> = [
  ['all fixture RecordTypes (uniform over the 56 fixtures)', () => corpus(templates, COUNT)],
  [
    'high-volume mix (AAD, Exchange, SharePoint/OneDrive, Teams)',
    () =>
      corpus(
        templates.filter((t) => HIGH_VOLUME_TYPES.has(t.RecordType as number)),
        COUNT,
      ),
  ],
  ['emulator mix (generateRecords, weighted like a real tenant)', () => emulatorCorpus(COUNT)],
];

console.log(
  `Records per corpus: ${COUNT.toLocaleString('en-US')} (varied copies of the intake-o365 fixture inputs; emulator records)\n`,
);
console.log(
  '| corpus | JSON.parse+stringify (events/s) | parseRawRecord+normalize+stringify (events/s) | ratio (CPU time) | ratio (wall time) |',
);
console.log('|---|---:|---:|---:|---:|');
for (const [name, build] of mixes) {
  const lines = build();
  const { base, norm } = measure(lines);
  const rate = (t: Timing): string => Math.round(COUNT / t.wall).toLocaleString('en-US');
  console.log(
    `| ${name} | ${rate(base)} | ${rate(norm)} | ${(norm.cpu / base.cpu).toFixed(2)} | ${(norm.wall / base.wall).toFixed(2)} |`,
  );
}
console.log(`\nPeak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (target ratio ≤ 3)`);

// --- The CLI, as a child process, against `node -e` over the same file ---

/** Parse + stringify every record of stdin, one per output line: NDJSON streamed by line, an array parsed whole. */
const BASELINE_SCRIPTS = {
  ndjson: `let rest = ''; process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { const lines = (rest + c).split('\\n'); rest = lines.pop(); let out = '';
  for (const l of lines) if (l) out += JSON.stringify(JSON.parse(l)) + '\\n'; process.stdout.write(out); });
process.stdin.on('end', () => { if (rest) process.stdout.write(JSON.stringify(JSON.parse(rest)) + '\\n'); });`,
  array: `const chunks = []; process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => { let out = ''; for (const r of JSON.parse(Buffer.concat(chunks).toString('utf8'))) {
  out += JSON.stringify(r) + '\\n'; if (out.length > 1 << 20) { process.stdout.write(out); out = ''; } }
  process.stdout.write(out); });`,
};
const USAGE = new URL('./support/report-usage.mjs', import.meta.url).href;
const CLI = new URL('../bin/o365-intake.mjs', import.meta.url).pathname;

interface ChildRun {
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** Runs node with `args`, stdin from `file`, stdout to /dev/null; wall time, CPU time and peak RSS of the child. */
function runChild(args: string[], file: string, dir: string): ChildRun {
  const usageFile = join(dir, 'usage.json');
  const stdin = openSync(file, 'r');
  const stdout = openSync('/dev/null', 'w');
  const start = process.hrtime.bigint();
  const res = spawnSync(process.execPath, ['--import', USAGE, ...args], {
    stdio: [stdin, stdout, 'pipe'],
    // The CLI runs from the TypeScript sources (tsx), so the figures are those of the code in this tree whether or
    // not dist/ was rebuilt; the compiled CLI (dist/) starts faster.
    env: { ...process.env, BENCH_USAGE_FILE: usageFile, O365_INTAKE_FROM_SOURCE: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  closeSync(stdin);
  closeSync(stdout);
  if (res.status !== 0) throw new Error(`${args.join(' ')} failed: ${res.stderr}`);
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { cpuMicros: number; maxRssKiB: number };
  return { wall, cpu: usage.cpuMicros / 1e6, rssMiB: Math.round(usage.maxRssKiB / 1024) };
}

const CLI_RECORDS = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'normalize-bench-'));
try {
  const records = emulatorCorpus(CLI_RECORDS);
  const files = { ndjson: join(dir, 'records.ndjson'), array: join(dir, 'records.json') };
  writeFileSync(files.ndjson, `${records.join('\n')}\n`);
  writeFileSync(files.array, `[${records.join(',\n')}]`);
  console.log(
    `\nCLI: \`o365-intake normalize\` (from source, through tsx) over ${CLI_RECORDS.toLocaleString('en-US')} emulator records, stdout to /dev/null;` +
      ' baseline `node -e` JSON.parse + JSON.stringify of the same file. Three interleaved runs of each: best, and the spread.\n',
  );
  console.log(
    '| input | baseline s (CPU) | CLI s (CPU) | CLI events/s | ratio (CPU time) | ratio (wall time) | spread of ratio (wall) | CLI peak RSS |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const format of ['ndjson', 'array'] as const) {
    const base: ChildRun[] = [];
    const cli: ChildRun[] = [];
    for (let round = 0; round < 3; round++) {
      base.push(runChild(['-e', BASELINE_SCRIPTS[format]], files[format], dir));
      cli.push(runChild([CLI, 'normalize'], files[format], dir));
    }
    const min = (runs: ChildRun[], key: 'wall' | 'cpu'): number => Math.min(...runs.map((r) => r[key]));
    const ratios = cli.map((c, i) => c.wall / (base[i] as ChildRun).wall);
    console.log(
      `| ${format === 'ndjson' ? 'NDJSON' : 'JSON array'} (${Math.round(readFileSync(files[format]).length / 1e6)} MB) | ` +
        `${min(base, 'cpu').toFixed(2)} | ${min(cli, 'cpu').toFixed(2)} | ${Math.round(CLI_RECORDS / min(cli, 'wall')).toLocaleString('en-US')} | ` +
        `${(min(cli, 'cpu') / min(base, 'cpu')).toFixed(2)} | ${(min(cli, 'wall') / min(base, 'wall')).toFixed(2)} | ` +
        `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} | ${Math.max(...cli.map((c) => c.rssMiB))} MiB |`,
    );
  }
  console.log('\n(target: CLI ≤ 4× the baseline)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// --- AIR records: linear in their entity count ---

console.log('\n| AIR record (one record, Data with N mail entities) | normalize ms (CPU, best of 3) | µs per entity |');
console.log('|---|---:|---:|');
for (const entities of [10_000, 100_000]) {
  const text = airRecordText(`air-${entities}`, entities);
  let cpu = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = time(() => {
      const parsed = parseRawRecord(text);
      if (!parsed.ok) throw new Error(parsed.reason);
      JSON.stringify(normalize(parsed.record));
    });
    cpu = Math.min(cpu, t.cpu);
  }
  console.log(
    `| ${entities.toLocaleString('en-US')} entities | ${Math.round(cpu * 1000)} | ${((cpu * 1e6) / entities).toFixed(2)} |`,
  );
}
