import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../observability/logger.ts';
import { SinkMisconfiguredError, SinkUnavailableError } from '../errors.ts';
import { RecordingServer } from '../test-support/recording-server.ts';
import {
  FAST_RETRY,
  readDeadLetters,
  sinkConfig,
  tempDir,
  testDeadLetter,
  testEvent,
  testEvents,
} from '../test-support/events.ts';
import { SekoiaSink, sekoiaBatchUrl } from './sekoia-sink.ts';

const KEY = 'Xk9pQw2rTz7yUv3sNm5bLc8dFg4hJa6e';

async function setup(extra: Record<string, unknown> = {}) {
  const server = new RecordingServer();
  const url = await server.start();
  const dir = tempDir('sekoia');
  const deadLetter = testDeadLetter(dir);
  const config = sinkConfig({ type: 'sekoia', intake_key: KEY, intake_url: url, gzip: false, retry: FAST_RETRY, ...extra });
  const sink = new SekoiaSink({ name: 'sekoia', config, logger: silentLogger, deadLetter });
  await sink.open();
  return {
    server,
    sink,
    deadLetter,
    close: async () => {
      await sink.close();
      await server.stop();
    },
  };
}

const idsOf = (body: string): string[] =>
  (JSON.parse(body) as { jsons: string[] }).jsons.map((j) => (JSON.parse(j) as { Id: string }).Id);
const accept = (body: string) => ({ status: 200, body: { received: true, event_ids: idsOf(body).map((id) => `uuid-${id}`) } });

test('region table and intake_url override', () => {
  assert.equal(sekoiaBatchUrl({ region: 'FRA1' }), 'https://intake.sekoia.io/batch');
  assert.equal(sekoiaBatchUrl({ region: 'USA1' }), 'https://intake.usa1.sekoia.io/api/v1/intake-http/batch');
  assert.equal(sekoiaBatchUrl({ region: 'FRA1', intake_url: 'http://127.0.0.1:9/x/' }), 'http://127.0.0.1:9/x/batch');
  assert.equal(sinkConfig({ type: 'sekoia', intake_key: 'k' }).region, 'FRA1');
});

test('posts the exact /batch envelope; the key is only in the body', async (t) => {
  const { server, sink, close } = await setup();
  t.after(close);
  server.handler = (req) => accept(req.body);
  await sink.write([testEvent(1), testEvent(2)]);
  assert.equal(server.requests.length, 1);
  const [req] = server.requests;
  assert.equal(req?.method, 'POST');
  assert.equal(req?.url, '/batch');
  assert.equal(req?.headers['content-type'], 'application/json');
  assert.equal(
    req?.body,
    `{"intake_key":"${KEY}","jsons":["{\\"Id\\":\\"1\\",\\"Operation\\":\\"UserLoggedIn\\"}","{\\"Id\\":\\"2\\",\\"Operation\\":\\"UserLoggedIn\\"}"]}`,
  );
  const headerText = JSON.stringify(req?.headers);
  assert.ok(!headerText.includes(KEY), 'intake key must not be in any header (User-Agent)');
});

test('chunks stay within 9 MiB including the envelope, gzip on the wire, every event once and in order', async (t) => {
  const { server, sink, close } = await setup({ gzip: true });
  t.after(close);
  server.handler = (req) => accept(req.body);
  const events = testEvents(1, 200, 100_000); // ~20 MB
  await sink.write(events);
  assert.equal(server.requests.length, 3);
  for (const req of server.requests) {
    assert.equal(req.headers['content-encoding'], 'gzip');
    assert.ok(Buffer.byteLength(req.body) <= 9 * 1024 * 1024, `chunk of ${Buffer.byteLength(req.body)} bytes`);
    assert.ok(req.wireBytes < Buffer.byteLength(req.body));
  }
  assert.deepEqual(
    server.requests.flatMap((r) => idsOf(r.body)),
    events.map((e) => e.document.Id),
  );
});

test('events over 250 kB are dead-lettered with their id, the rest delivered', async (t) => {
  const { server, sink, deadLetter, close } = await setup();
  t.after(close);
  server.handler = (req) => accept(req.body);
  await sink.write([testEvent(1), testEvent(2, 260_000), testEvent(3)]);
  assert.deepEqual(
    server.requests.flatMap((r) => idsOf(r.body)),
    ['1', '3'],
  );
  const dead = readDeadLetters(deadLetter);
  assert.deepEqual(
    dead.map((d) => [d.reason, d.event?.id]),
    [['too_large', 't:2']],
  );
  assert.match(dead[0]?.detail ?? '', /250000/);
});

test('retries 5xx, 429 and dropped connections, then delivers once', async (t) => {
  const { server, sink, close } = await setup();
  t.after(close);
  server.handler = (req, i) =>
    i === 0
      ? { status: 503 }
      : i === 1
        ? { status: 429, headers: { 'retry-after': '0' } }
        : i === 2
          ? 'destroy'
          : accept(req.body);
  await sink.write(testEvents(1, 3));
  assert.equal(server.requests.length, 4);
  assert.deepEqual(idsOf(server.requests[3]?.body ?? ''), ['1', '2', '3']);
});

test('413 halves the chunk until the intake takes it', async (t) => {
  const { server, sink, close } = await setup();
  t.after(close);
  server.handler = (req) => (idsOf(req.body).length > 2 ? { status: 413, body: 'too large' } : accept(req.body));
  await sink.write(testEvents(1, 7));
  const accepted = server.requests.filter((r) => idsOf(r.body).length <= 2).flatMap((r) => idsOf(r.body));
  assert.deepEqual(accepted, ['1', '2', '3', '4', '5', '6', '7']);
});

test('a 401 (wrong or rotated intake key) keeps every event: SinkMisconfiguredError, nothing dead-lettered, key redacted', async (t) => {
  const { server, sink, deadLetter, close } = await setup();
  t.after(close);
  server.handler = () => ({ status: 401, body: { message: `unknown intake key ${KEY}` } });
  const err = await sink.write(testEvents(1, 2)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SinkMisconfiguredError);
  assert.deepEqual(
    err.remaining.map((e) => e.id),
    ['t:1', 't:2'],
  );
  assert.match(err.message, /HTTP 401.*intake key/);
  assert.ok(!err.message.includes(KEY));
  assert.equal(server.requests.length, 1, 'not retried in the write: the spool retries periodically');
  assert.deepEqual(readDeadLetters(deadLetter), []);
});

test('another 4xx refuses the batch for good: dead-lettered with a clear reason', async (t) => {
  const { server, sink, deadLetter, close } = await setup();
  t.after(close);
  server.handler = () => ({ status: 400, body: { message: 'malformed json' } });
  await sink.write(testEvents(1, 2));
  assert.deepEqual(
    readDeadLetters(deadLetter).map((d) => d.event?.id),
    ['t:1', 't:2'],
  );
});

test('after the last retry, the error carries exactly the undelivered events', async (t) => {
  const { server, sink, close } = await setup({ max_batch_events: 2 });
  t.after(close);
  server.handler = (req, i) => (i === 0 ? accept(req.body) : { status: 502 });
  const err = await sink.write(testEvents(1, 5)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof SinkUnavailableError);
  assert.deepEqual(
    err.remaining.map((e) => e.id),
    ['t:3', 't:4', 't:5'],
  );
  assert.equal(server.requests.length, 1 + FAST_RETRY.max_attempts);
});

test('the intake key never reaches a log line, even at debug level with retries and refusals', async (t) => {
  const { PassThrough } = await import('node:stream');
  const { createLogger } = await import('../../observability/logger.ts');
  const out = new PassThrough();
  let logged = '';
  out.on('data', (d: Buffer) => (logged += d.toString()));
  const server = new RecordingServer();
  const url = await server.start();
  const dir = tempDir('sekoia');
  const logger = createLogger('debug', out);
  const deadLetter = new (await import('../dead-letter.ts')).DeadLetterFile(`${dir}/dl.ndjson`, 'sekoia', logger);
  const sink = new SekoiaSink({
    name: 'sekoia',
    config: sinkConfig({ type: 'sekoia', intake_key: KEY, intake_url: url, gzip: false, retry: FAST_RETRY }),
    logger,
    deadLetter,
  });
  t.after(async () => {
    await sink.close();
    await server.stop();
  });
  server.handler = (_req, i) => (i < 2 ? { status: 503, body: `busy ${KEY}` } : { status: 400, body: `bad request ${KEY}` });
  await sink.write(testEvents(1, 2));
  await deadLetter.close();
  assert.match(logged, /refused by the destination/);
  assert.match(logged, /retrying/);
  assert.ok(!logged.includes(KEY), 'intake key in logs');
});

test('a response confirming fewer events than sent is counted (the batch is not resent: that would duplicate)', async (t) => {
  const { metricsRegistry } = await import('../../observability/metrics.ts');
  const { server, sink, close } = await setup();
  t.after(close);
  const unconfirmed = async () =>
    (await metricsRegistry.getSingleMetric('o365_intake_sink_unconfirmed_events_total')?.get())?.values.find(
      (v) => v.labels.sink === 'sekoia',
    )?.value ?? 0;
  const before = await unconfirmed();
  server.handler = () => ({ status: 200, body: { event_ids: ['only-one'] } });
  await sink.write(testEvents(1, 3));
  assert.equal(server.requests.length, 1);
  assert.equal((await unconfirmed()) - before, 2);
});
