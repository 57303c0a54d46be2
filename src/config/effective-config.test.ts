import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveConfig, formatDuration } from './effective-config.ts';
import { parseConfig } from './load.ts';

test('the effective configuration masks every secret and writes durations back exactly', () => {
  const config = parseConfig({
    tenants: [
      {
        name: 'a',
        tenant_id: '00000000-0000-0000-0000-00000000000a',
        client_id: '11111111-1111-1111-1111-111111111111',
        client_secret: 'hunter2',
      },
    ],
    collection: { poll_interval: '90s', settle_window: '36h' },
    state: 'postgres://svc:pw-123@db/x',
    sinks: [{ type: 'sekoia', intake_key: 'KEY-123456' }],
  });
  const shown = effectiveConfig(config) as Record<string, any>;
  const text = JSON.stringify(shown);
  for (const secret of ['hunter2', 'pw-123', 'KEY-123456']) assert.ok(!text.includes(secret), `${secret} is not shown`);
  assert.equal(shown.tenants[0].client_secret, '[redacted]');
  assert.equal(shown.state, 'postgres://svc:[redacted]@db/x');
  assert.equal(shown.collection.poll_interval, '90s');
  assert.equal(shown.collection.settle_window, '36h');
  assert.equal(shown.collection.batch_size, 1000, 'numbers that are not durations stay numbers');
  assert.equal(shown.sinks[0].timeout, '30s', 'durations inside a union member (a sink) too');
  assert.deepEqual([formatDuration(0), formatDuration(1500), formatDuration(86_400_000)], ['0ms', '1500ms', '1d']);
});
