import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../observability/logger.ts';
import { RecordingServer } from '../test-support/recording-server.ts';
import { FAST_RETRY, sinkConfig, tempDir, testDeadLetter, testEvent } from '../test-support/events.ts';
import { SinkUnavailableError } from '../errors.ts';
import { SplunkHecSink } from './splunk-hec-sink.ts';

const CHANNEL = '0c7a6a1e-7d4f-4b57-9a53-2f0e1e3d4c5b';

async function setup(extra: Record<string, unknown> = {}) {
  const server = new RecordingServer();
  const url = await server.start();
  const sink = new SplunkHecSink({
    name: 'hec',
    config: sinkConfig({ type: 'splunk_hec', url, token: 'hec-token', retry: FAST_RETRY, ...extra }),
    logger: silentLogger,
    deadLetter: testDeadLetter(tempDir('hec')),
  });
  await sink.open();
  return {
    server,
    sink,
    close: async () => {
      await sink.close();
      await server.stop();
    },
  };
}

test('exact HEC body: time in seconds, default sourcetype, Splunk token; 503 retried', async (t) => {
  const { server, sink, close } = await setup({ index: 'o365' });
  t.after(close);
  server.handler = (_r, i) =>
    i === 0 ? { status: 503, body: { text: 'Server is busy', code: 9 } } : { status: 200, body: { text: 'Success', code: 0 } };
  await sink.write([testEvent(1), testEvent(2)]);
  assert.equal(server.requests.length, 2);
  const req = server.requests[1];
  assert.equal(req?.url, '/services/collector/event');
  assert.equal(req?.headers.authorization, 'Splunk hec-token');
  const t0 = Date.UTC(2026, 10, 24, 12, 0, 0) / 1000;
  assert.equal(
    req?.body,
    `{"time":${t0 + 1},"sourcetype":"o365:management:activity","index":"o365","fields":{"tenant_id":"t","kind":"event","event_id":"t:1"},"event":{"Id":"1","Operation":"UserLoggedIn"}}\n` +
      `{"time":${t0 + 2},"sourcetype":"o365:management:activity","index":"o365","fields":{"tenant_id":"t","kind":"event","event_id":"t:2"},"event":{"Id":"2","Operation":"UserLoggedIn"}}`,
  );
});

test('indexer acknowledgement: the write resolves only once the ackId is reported indexed', async (t) => {
  const { server, sink, close } = await setup({ indexer_ack: true, channel: CHANNEL, ack_poll_interval: 5 });
  t.after(close);
  let polls = 0;
  server.handler = (req) => {
    if (req.url.startsWith('/services/collector/ack')) return { status: 200, body: { acks: { '42': ++polls >= 3 } } };
    return { status: 200, body: { text: 'Success', code: 0, ackId: 42 } };
  };
  await sink.write([testEvent(1)]);
  assert.equal(polls, 3);
  assert.deepEqual(
    server.requests.map((r) => [r.url, r.headers['x-splunk-request-channel']]),
    [
      ['/services/collector/event', CHANNEL],
      [`/services/collector/ack?channel=${CHANNEL}`, CHANNEL],
      [`/services/collector/ack?channel=${CHANNEL}`, CHANNEL],
      [`/services/collector/ack?channel=${CHANNEL}`, CHANNEL],
    ],
  );
  assert.equal(server.requests[1]?.body, '{"acks":[42]}');
});

test('indexer acknowledgement that never comes: the batch is sent again, then the write fails with the undelivered events', async (t) => {
  const { server, sink, close } = await setup({
    indexer_ack: true,
    channel: CHANNEL,
    ack_poll_interval: 5,
    ack_timeout: 30,
    retry: { ...FAST_RETRY, max_attempts: 2 },
  });
  t.after(close);
  server.handler = (req) =>
    req.url.startsWith('/services/collector/ack')
      ? { status: 200, body: { acks: { '7': false } } }
      : { status: 200, body: { text: 'Success', code: 0, ackId: 7 } };
  await assert.rejects(
    sink.write([testEvent(1)]),
    (err: unknown) =>
      err instanceof SinkUnavailableError && /ackId 7 not indexed/.test(err.message) && err.remaining.length === 1,
  );
  assert.equal(server.requests.filter((r) => r.url === '/services/collector/event').length, 2);
});
