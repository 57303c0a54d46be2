// Sink throughput: events/s through the disk spool in front of the Sekoia intake sink (end to end,
// until drained), the Sekoia sink alone, and the plain file sink (baseline), all in this process
// against a local HTTP intake (child process) that only counts. Prints Markdown. Run: node --import tsx bench/sinks.bench.ts
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutputEvent } from '../src/core/output-event.ts';
import type { Sink } from '../src/core/sink.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { sinkSchema, type SekoiaSinkConfig } from '../src/sinks/config.ts';
import { DeadLetterFile } from '../src/sinks/dead-letter.ts';
import { FileSink } from '../src/sinks/file.ts';
import { SekoiaSink } from '../src/sinks/sekoia/sekoia-sink.ts';
import { SpooledSink } from '../src/sinks/spool/spooled-sink.ts';

const TOTAL = 100_000;
const BATCH = 500;

function event(n: number): OutputEvent {
  return {
    id: `tenant:${n}`,
    kind: 'event',
    tenantId: 'tenant',
    time: Date.UTC(2026, 10, 24) + n,
    document: {
      Id: `5f1c2a3b-0000-4000-8000-${String(n).padStart(12, '0')}`,
      RecordType: 15,
      CreationTime: '2026-11-24T12:00:00',
      Operation: 'UserLoggedIn',
      OrganizationId: 'b5e6f7a8-1111-4222-8333-944455566677',
      UserType: 0,
      UserKey: '10032001A2B3C4D5',
      Workload: 'AzureActiveDirectory',
      ResultStatus: 'Success',
      ObjectId: '00000003-0000-0ff1-ce00-000000000000',
      UserId: `user${n % 500}@contoso.example`,
      ClientIP: `203.0.113.${n % 250}`,
      ExtendedProperties: [
        {
          Name: 'UserAgent',
          Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
        },
        { Name: 'RequestType', Value: 'OAuth2:Authorize' },
        { Name: 'ResultStatusDetail', Value: 'Redirect' },
      ],
      DeviceProperties: [
        { Name: 'OS', Value: 'Windows 10' },
        { Name: 'BrowserType', Value: 'Chrome' },
        { Name: 'IsCompliant', Value: 'False' },
      ],
      Actor: [
        { ID: 'a1b2c3d4-0000-4000-8000-000000000001', Type: 0 },
        { ID: `user${n % 500}@contoso.example`, Type: 5 },
      ],
      ErrorNumber: '0',
      ApplicationId: '4765445b-32c6-49b0-83e6-1d93765276ca',
      InterSystemsId: 'c1d2e3f4-aaaa-4bbb-8ccc-ddddeeeeffff',
    },
  };
}

const events = Array.from({ length: TOTAL }, (_, n) => event(n));
const batches: OutputEvent[][] = [];
for (let i = 0; i < TOTAL; i += BATCH) batches.push(events.slice(i, i + BATCH));

/** A counting Sekoia-like intake in a child process, so its JSON parsing does not compete with the sinks in this one. */
const INTAKE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (b) => parts.push(b));
  req.on('end', () => {
    const n = JSON.parse(Buffer.concat(parts).toString('utf8')).jsons.length;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ event_ids: Array.from({ length: n }, (_, i) => String(i)) }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startIntake(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', INTAKE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function run(
  label: string,
  make: (dir: string) => Sink,
  after?: (sink: Sink) => Promise<void>,
): Promise<{ label: string; eps: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sink-bench-'));
  const sink = make(dir);
  await sink.open();
  const start = process.hrtime.bigint();
  for (const batch of batches) await sink.write(batch);
  await after?.(sink);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
  return { label, eps: TOTAL / seconds };
}

const intake = await startIntake();
const sekoiaConfig = (): SekoiaSinkConfig =>
  sinkSchema.parse({ type: 'sekoia', intake_key: 'bench', intake_url: intake.url, gzip: false }) as SekoiaSinkConfig;
const sekoia = (dir: string): SekoiaSink =>
  new SekoiaSink({
    name: 'sekoia',
    config: sekoiaConfig(),
    logger: silentLogger,
    deadLetter: new DeadLetterFile(join(dir, 'dl.ndjson'), 'sekoia', silentLogger),
  });

const baseline = await run(
  'file sink (baseline: NDJSON + fsync per batch)',
  (dir) => new FileSink({ name: 'file', path: join(dir, 'out.ndjson'), logger: silentLogger }),
);
const direct = await run('sekoia sink, memory buffer (HTTP /batch to a local intake)', sekoia);
const spooledAck = await run('sekoia behind disk spool: collector-side ack (fsync to spool)', (dir) => spooled(dir));
const spooledEnd = await run(
  'sekoia behind disk spool: end to end (until drained)',
  (dir) => spooled(dir),
  (s) => (s as SpooledSink).whenDrained(),
);
intake.stop();

function spooled(dir: string): SpooledSink {
  return new SpooledSink(sekoia(dir), {
    dir: join(dir, 'spool'),
    maxBytes: 1024 * 1024 * 1024,
    segmentBytes: 16 * 1024 * 1024,
    initialBackoffMs: 100,
    maxBackoffMs: 1000,
    logger: silentLogger,
    deadLetter: new DeadLetterFile(join(dir, 'dl.ndjson'), 'sekoia', silentLogger),
  });
}

console.log(`${TOTAL} events of ~${Buffer.byteLength(JSON.stringify(events[0]?.document))} bytes, batches of ${BATCH}\n`);
console.log('| path | events/s | ratio vs baseline |');
console.log('|---|---:|---:|');
for (const r of [baseline, direct, spooledAck, spooledEnd])
  console.log(`| ${r.label} | ${Math.round(r.eps).toLocaleString('en-US')} | ${(r.eps / baseline.eps).toFixed(2)}× |`);
console.log(`\nPeak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
