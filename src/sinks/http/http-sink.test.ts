import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../observability/logger.ts';
import { RecordingServer } from '../test-support/recording-server.ts';
import { FAST_RETRY, readDeadLetters, sinkConfig, tempDir, testDeadLetter, testEvents } from '../test-support/events.ts';
import { HttpSink } from './http-sink.ts';

async function setup(extra: Record<string, unknown>) {
  const server = new RecordingServer();
  const url = await server.start();
  const deadLetter = testDeadLetter(tempDir('http'));
  const sink = new HttpSink({
    name: 'http',
    config: sinkConfig({ type: 'http', url: `${url}/hook`, retry: FAST_RETRY, ...extra }),
    logger: silentLogger,
    deadLetter,
  });
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

test('NDJSON body with custom headers', async (t) => {
  const { server, sink, close } = await setup({ headers: { 'X-Api-Key': 'hook-secret' } });
  t.after(close);
  await sink.write(testEvents(1, 2));
  const [req] = server.requests;
  assert.equal(req?.url, '/hook');
  assert.equal(req?.headers['content-type'], 'application/x-ndjson');
  assert.equal(req?.headers['x-api-key'], 'hook-secret');
  assert.equal(req?.body, '{"Id":"1","Operation":"UserLoggedIn"}\n{"Id":"2","Operation":"UserLoggedIn"}\n');
});

test('gzipped JSON array, chunked by event count, retried on 500', async (t) => {
  const { server, sink, close } = await setup({ format: 'json_array', gzip: true, max_batch_events: 2, method: 'PUT' });
  t.after(close);
  server.handler = (_req, i) => (i === 1 ? { status: 500 } : { status: 204 });
  await sink.write(testEvents(1, 3));
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.headers['content-encoding'], r.body]),
    [
      ['PUT', 'gzip', '[{"Id":"1","Operation":"UserLoggedIn"},{"Id":"2","Operation":"UserLoggedIn"}]'],
      ['PUT', 'gzip', '[{"Id":"3","Operation":"UserLoggedIn"}]'],
      ['PUT', 'gzip', '[{"Id":"3","Operation":"UserLoggedIn"}]'],
    ],
  );
});

test('a 400 dead-letters the chunk instead of retrying forever', async (t) => {
  const { server, sink, deadLetter, close } = await setup({});
  t.after(close);
  server.handler = () => ({ status: 400, body: { error: 'bad schema' } });
  await sink.write(testEvents(1, 2));
  assert.equal(server.requests.length, 1);
  assert.deepEqual(
    readDeadLetters(deadLetter).map((d) => [d.reason, d.event?.id, d.detail]),
    [
      ['rejected', 't:1', 'HTTP 400: {"error":"bad schema"}'],
      ['rejected', 't:2', 'HTTP 400: {"error":"bad schema"}'],
    ],
  );
});

test('Idempotency-Key: the batch id is the same on every retry of a request, and differs between batches', async (t) => {
  const { server, sink, close } = await setup({ max_batch_events: 2 });
  t.after(close);
  server.handler = (_req, i) => (i === 0 ? { status: 503 } : { status: 200, body: {} });
  await sink.write(testEvents(1, 4));
  await sink.write(testEvents(1, 2)); // the same events again (a resend after a restart): the same id
  const keys = server.requests.map((r) => String(r.headers['idempotency-key']));
  assert.equal(keys.length, 4);
  assert.match(keys[0] ?? '', /^[0-9a-f]{32}$/);
  assert.equal(keys[1], keys[0], 'retried after 503 with the same key');
  assert.notEqual(keys[2], keys[1], 'the next batch has its own key');
  assert.equal(keys[3], keys[0], 'the same events make the same batch id');
});
