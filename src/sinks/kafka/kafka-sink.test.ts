import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { silentLogger } from '../../observability/logger.ts';
import { FAST_RETRY, sinkConfig, tempDir, testDeadLetter, testEvents } from '../test-support/events.ts';
import { KCAT, KcatMockCluster } from '../test-support/kcat-mock.ts';
import { KafkaSink } from './kafka-sink.ts';

const skip = existsSync(KCAT) ? false : `kcat not installed (${KCAT}); apt-get install kcat`;

test('round trip through the librdkafka mock cluster: key = event id, headers, every event exactly once', {
  skip,
  timeout: 60_000,
}, async (t) => {
  const cluster = new KcatMockCluster('o365');
  t.after(() => cluster.stop());
  await cluster.start();
  const config = sinkConfig({
    type: 'kafka',
    brokers: [cluster.bootstrap],
    topic: 'o365',
    retry: { ...FAST_RETRY, max_attempts: 10, max_backoff: 500 },
    max_batch_events: 7,
  });
  const sink = new KafkaSink({ name: 'kafka', config, logger: silentLogger, deadLetter: testDeadLetter(tempDir('kafka')) });
  t.after(() => sink.close());
  await sink.open();
  const events = testEvents(1, 20);
  await sink.write(events.slice(0, 10));
  await sink.write(events.slice(10));
  const consumed = await cluster.consumed(events.length);
  assert.equal(consumed.length, events.length);
  assert.deepEqual(consumed.map((m) => m.key).sort(), events.map((e) => e.id).sort());
  for (const m of consumed) {
    const event = events.find((e) => e.id === m.key);
    assert.equal(m.value, JSON.stringify(event?.document));
    assert.equal(m.headers, 'kind=event,tenant_id=t');
  }
});
