import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../observability/logger.ts';
import { RecordingServer, type RecordedRequest } from '../test-support/recording-server.ts';
import {
  FAST_RETRY,
  readDeadLetters,
  sinkConfig,
  tempDir,
  testDeadLetter,
  testEvent,
  testEvents,
} from '../test-support/events.ts';
import { ElasticsearchSink } from './elasticsearch-sink.ts';

async function setup(extra: Record<string, unknown> = {}) {
  const server = new RecordingServer();
  const url = await server.start();
  const deadLetter = testDeadLetter(tempDir('es'));
  const sink = new ElasticsearchSink({
    name: 'es',
    config: sinkConfig({ type: 'elasticsearch', url, retry: FAST_RETRY, ...extra }),
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

const actions = (req: RecordedRequest) =>
  req.body
    .split('\n')
    .filter((_, i) => i % 2 === 0 && _)
    .map((l) => JSON.parse(l) as Record<string, { _id: string; _index: string }>);
const bulkReply = (req: RecordedRequest, statusOf: (id: string) => number) => {
  const items = actions(req).map((a) => {
    const [op, meta] = Object.entries(a)[0] as [string, { _id: string }];
    const status = statusOf(meta._id);
    return {
      [op]: {
        _id: meta._id,
        status,
        ...(status >= 300
          ? { error: { type: status === 400 ? 'mapper_parsing_exception' : 'es_rejected_execution_exception', reason: 'failed' } }
          : {}),
      },
    };
  });
  return { status: 200, body: { took: 1, errors: items.some((i) => (Object.values(i)[0]?.status ?? 0) >= 300), items } };
};

test('exact _bulk body: create with _id = event id, dated index, API key auth', async (t) => {
  const { server, sink, close } = await setup({ api_key: 'es-key', pipeline: 'o365' });
  t.after(close);
  server.handler = (req) => bulkReply(req, () => 201);
  await sink.write([testEvent(1), testEvent(2)]);
  const [req] = server.requests;
  assert.equal(req?.url, '/_bulk?pipeline=o365');
  assert.equal(req?.headers.authorization, 'ApiKey es-key');
  assert.equal(req?.headers['content-type'], 'application/x-ndjson');
  assert.equal(
    req?.body,
    '{"create":{"_index":"o365-event-2026.11.24","_id":"t:1"}}\n{"Id":"1","Operation":"UserLoggedIn"}\n' +
      '{"create":{"_index":"o365-event-2026.11.24","_id":"t:2"}}\n{"Id":"2","Operation":"UserLoggedIn"}\n',
  );
});

test('per-item results: 409 is a replay (delivered), 429 retried alone, 400 dead-lettered', async (t) => {
  const { server, sink, deadLetter, close } = await setup({ username: 'elastic', password: 'pw' });
  t.after(close);
  let throttled = false;
  server.handler = (req) =>
    bulkReply(req, (id) => {
      if (id === 't:2') return 409;
      if (id === 't:3' && !throttled) {
        throttled = true;
        return 429;
      }
      if (id === 't:4') return 400;
      return 201;
    });
  await sink.write(testEvents(1, 5));
  assert.equal(server.requests[0]?.headers.authorization, `Basic ${Buffer.from('elastic:pw').toString('base64')}`);
  assert.deepEqual(
    server.requests.map((r) => actions(r).map((a) => a.create?._id)),
    [['t:1', 't:2', 't:3', 't:4', 't:5'], ['t:3']],
  );
  assert.deepEqual(
    readDeadLetters(deadLetter).map((d) => [d.reason, d.event?.id, d.detail]),
    [['mapping_error', 't:4', '400 mapper_parsing_exception: failed']],
  );
});

test('a whole-request 503 is retried; index op and template tokens', async (t) => {
  const { server, sink, close } = await setup({ op_type: 'index', index: 'm365-{tenant}-{kind}-{yyyy}{MM}' });
  t.after(close);
  server.handler = (req, i) => (i === 0 ? { status: 503 } : bulkReply(req, () => 200));
  await sink.write([testEvent(7)]);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(actions(server.requests[1] as RecordedRequest), [{ index: { _index: 'm365-t-event-202611', _id: 't:7' } }]);
});
