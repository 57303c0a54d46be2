import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Sink } from '../core/sink.ts';
import { silentLogger } from '../observability/logger.ts';
import { metricsRegistry } from '../observability/metrics.ts';
import { sinkSchema } from '../sinks/config.ts';
import { createSinks } from '../sinks/index.ts';
import { RecordingServer, type Reply } from '../sinks/test-support/recording-server.ts';
import { FAST_RETRY, tempDir, testEvents } from '../sinks/test-support/events.ts';
import { buildSinkHealth, type SinkHealth } from './sink-health.ts';
import { startTestServer, type TestServer } from './testing/test-server.ts';

const KEY = 'Hq7ZpL2xWv9sRt4mNc6bYd8kFj3gTa5e';
const intake = new RecordingServer();
let sinks: Sink[];
let ctx: TestServer;
let sent = 0;

const accept = (body: string): Reply => ({
  status: 200,
  body: { event_ids: (JSON.parse(body) as { jsons: string[] }).jsons.map((_, i) => `id-${i}`) },
});

before(async () => {
  const url = await intake.start();
  const dataDir = tempDir('web-sinks');
  const configs = [
    sinkSchema.parse({
      type: 'sekoia',
      name: 'soc-intake',
      intake_key: KEY,
      intake_url: url,
      gzip: false,
      retry: FAST_RETRY,
      buffer: { type: 'disk', max_bytes: 10_000_000 },
    }),
    sinkSchema.parse({ type: 'file', name: 'archive', path: `${dataDir}/archive.ndjson` }),
  ];
  sinks = createSinks(configs, { dataDir, logger: silentLogger });
  for (const sink of sinks) await sink.open();
  const tracker = buildSinkHealth(sinks, { configs, dataDir, registry: metricsRegistry });
  ctx = await startTestServer({ events: 12, health: { streamHealth: async () => [] }, sinks: tracker, now: Date.now });
});

after(async () => {
  for (const sink of sinks ?? []) await sink.close();
  await ctx?.close();
  await intake.stop();
});

async function write(count: number): Promise<void> {
  const events = testEvents(sent + 1, count);
  sent += count;
  for (const sink of sinks) await sink.write(events);
}

async function health(): Promise<SinkHealth> {
  const res = await fetch(new URL('/api/health', ctx.url), { headers: { authorization: `Bearer ${ctx.server.token}` } });
  assert.equal(res.status, 200);
  const view = (await res.json()) as { sinks: SinkHealth[] };
  return view.sinks.find((s) => s.name === 'soc-intake')!;
}

/** Polls /api/health (bounded) until the Sekoia output matches. */
async function waitFor(check: (s: SinkHealth) => boolean, what: string): Promise<SinkHealth> {
  let last: SinkHealth | undefined;
  for (let i = 0; i < 250; i++) {
    last = await health();
    if (check(last)) return last;
    await sleep(20);
  }
  assert.fail(`${what}: last seen ${JSON.stringify(last)}`);
}

async function healthz(): Promise<{
  status: number;
  body: { ok: boolean; status: string; sinks: Record<string, number>; outputs: Array<{ name: string; status: string }> };
}> {
  const res = await fetch(new URL('/healthz', ctx.url));
  return { status: res.status, body: (await res.json()) as never };
}

test('a destination answering 503 is an output in error with its message; it recovers to ok', async () => {
  intake.handler = () => ({
    status: 503,
    body: '<script>alert(1)</script> upstream down, retry via https://ops:S3cretPw@intake.example/ Bearer abcdefghijklmnop',
  });
  await write(5);
  const failing = await waitFor((s) => s.status === 'error', 'error while the intake answers 503');
  assert.equal(failing.type, 'sekoia');
  assert.equal(failing.reason, 'delivery failing, retrying');
  assert.ok((failing.backlogBytes ?? 0) > 0, 'the events wait in the spool');
  assert.equal(failing.capacityBytes, 10_000_000);
  assert.match(failing.lastError?.message ?? '', /HTTP 503: <script>alert\(1\)<\/script> upstream down/);
  assert.doesNotMatch(failing.lastError?.message ?? '', /S3cretPw|abcdefghijklmnop/, 'credentials are scrubbed');
  assert.match(failing.lastError?.message ?? '', /https:\/\/\[redacted\]@intake\.example\/ Bearer \[redacted\]/);

  const degraded = await healthz();
  assert.equal(degraded.status, 200, 'an output in error does not fail the liveness probe');
  assert.equal(degraded.body.ok, true);
  assert.equal(degraded.body.status, 'degraded');
  assert.equal(degraded.body.outputs.find((o) => o.name === 'soc-intake')?.status, 'error');
  assert.equal(degraded.body.outputs.find((o) => o.name === 'archive')?.status, 'ok');

  const page = await (
    await fetch(new URL('/health', ctx.url), { headers: { authorization: `Bearer ${ctx.server.token}` } })
  ).text();
  assert.match(page, /<h2>Outputs<\/h2>/);
  assert.match(page, /HTTP 503: &lt;script&gt;alert\(1\)&lt;\/script&gt; upstream down/, 'the error text is escaped');
  assert.ok(!page.includes('<script>alert(1)'), 'no markup from the destination reaches the page');

  intake.handler = (req) => accept(req.body);
  const ok = await waitFor((s) => s.status === 'ok' && s.backlogBytes === 0, 'ok once the intake accepts');
  assert.equal(ok.deliveredEvents, 5);
  assert.ok(ok.lastDeliveryAt !== undefined);
  assert.equal(ok.deadLettered, 0);
  assert.match(ok.lastError?.message ?? '', /HTTP 503/, 'the last error stays visible, with its time');
  assert.equal((await healthz()).body.status, 'ok');
});

test('a wrong intake key (401) is an output in error: delivery stops, events stay spooled, with the hint; fixed, it resumes', async () => {
  intake.handler = () => ({ status: 401, body: { message: 'Invalid intake key' } });
  await write(3);
  const refused = await waitFor((s) => s.status === 'error', 'error while the intake answers 401');
  assert.match(refused.reason ?? '', /^the destination refuses our requests \(HTTP 401\): check its URL and credentials/);
  assert.equal(refused.deadLettered, 0, 'nothing is dead-lettered');
  assert.ok((refused.backlogBytes ?? 0) > 0, 'the events wait in the spool');
  assert.match(
    refused.lastError?.message ?? '',
    /HTTP 401: \{"message":"Invalid intake key"\} \(is the intake key right, and for region FRA1\?\)/,
  );
  assert.ok(!JSON.stringify(refused).includes(KEY));

  intake.handler = (req) => accept(req.body);
  await write(4);
  const ok = await waitFor(
    (s) => s.status === 'ok' && s.deliveredEvents === 12 && s.backlogBytes === 0,
    'ok once the spooled and the new events are delivered',
  );
  assert.equal(ok.deadLettered, 0);
});

test('a file output has no spool and no error', async () => {
  const res = await fetch(new URL('/api/health', ctx.url), { headers: { authorization: `Bearer ${ctx.server.token}` } });
  const archive = ((await res.json()) as { sinks: SinkHealth[] }).sinks.find((s) => s.name === 'archive');
  assert.deepEqual(archive, { name: 'archive', type: 'file', status: 'ok', deadLettered: 0 });
});

test('a file output on a full disk is in error while its writes fail, ok again once one succeeds; a store that cannot be written shows as an output', async (t) => {
  const { mountTmpfs } = await import('../sinks/test-support/tmpfs.ts');
  const fs = mountTmpfs(64 * 1024);
  if (typeof fs === 'string') return t.skip(fs);
  const configs = [sinkSchema.parse({ type: 'file', name: 'archive', path: `${fs.dir}/archive.ndjson` })];
  const [file] = createSinks(configs, { dataDir: fs.dir, logger: silentLogger });
  let storeFailure: { message: string; at: number } | undefined;
  const tracker = buildSinkHealth(file ? [file] : [], {
    configs,
    dataDir: fs.dir,
    registry: metricsRegistry,
    store: { storeFailure: () => storeFailure },
  });
  try {
    await file?.open();
    await file?.write(testEvents(1, 2));
    assert.deepEqual(
      (await tracker.sinkHealth()).map((s) => s.status),
      ['ok'],
    );
    fs.fill();
    await assert.rejects(file?.write(testEvents(3, 2000, 50)) ?? Promise.reject(new Error('no sink')));
    const [failing] = await tracker.sinkHealth();
    assert.equal(failing?.status, 'error');
    assert.match(failing?.reason ?? '', /cannot write to local disk/);
    assert.match(failing?.lastError?.message ?? '', /ENOSPC|no space|short write/i);
    storeFailure = { message: 'cannot write to the store: database or disk is full', at: Date.now() };
    const withStore = await tracker.sinkHealth();
    assert.deepEqual(
      withStore.map((s) => [s.name, s.status]),
      [
        ['archive', 'error'],
        ['store', 'error'],
      ],
    );
    fs.free();
    storeFailure = undefined;
    await file?.write(testEvents(3, 2));
    assert.deepEqual(
      (await tracker.sinkHealth()).map((s) => [s.name, s.status]),
      [['archive', 'ok']],
    );
  } finally {
    await file?.close();
    fs.unmount();
  }
});
