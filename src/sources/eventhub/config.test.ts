import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Secret } from '../../core/secret.ts';
import { eventHubSchema } from './config.ts';

const CS =
  'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=super-secret-key;EntityPath=insights';

test('defaults: SQLite checkpoints, $Default group, earliest, balanced, durations in ms', () => {
  const cfg = eventHubSchema.parse({ name: 'entra', connection_string: CS });
  assert.deepEqual(cfg.checkpoint_store, { type: 'sqlite' });
  assert.equal(cfg.consumer_group, '$Default');
  assert.equal(cfg.start_position, 'earliest');
  assert.equal(cfg.load_balancing, 'balanced');
  assert.equal(cfg.max_wait_time, 5000);
  assert.equal(cfg.ownership_expiration, 60_000);
  assert.equal(cfg.tenant, undefined);
  assert.ok(cfg.connection_string instanceof Secret);
  assert.doesNotMatch(inspect(cfg), /super-secret-key/);
});

test('blob checkpoints need a connection string (a Secret) and a valid container name', () => {
  const cfg = eventHubSchema.parse({
    name: 'x',
    connection_string: CS,
    checkpoint_store: { type: 'blob', connection_string: 'UseDevelopmentStorage=true', container: 'eh-ckpt' },
  });
  assert.equal(cfg.checkpoint_store.type, 'blob');
  assert.doesNotMatch(JSON.stringify(cfg), /UseDevelopmentStorage/);
  const bad = eventHubSchema.safeParse({
    name: 'x',
    connection_string: CS,
    checkpoint_store: { type: 'blob', connection_string: 'x', container: 'Bad_Name' },
  });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['checkpoint_store', 'container']);
});

test('ownership_expiration must exceed ownership_interval', () => {
  const bad = eventHubSchema.safeParse({
    name: 'x',
    connection_string: CS,
    ownership_interval: '30s',
    ownership_expiration: '10s',
  });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['ownership_expiration']);
});

test('postgres checkpoints need a postgres:// URL, kept as a Secret', () => {
  const cfg = eventHubSchema.parse({
    name: 'x',
    connection_string: CS,
    checkpoint_store: { type: 'postgres', url: 'postgres://svc:pw-123@db/state' },
  });
  assert.equal(cfg.checkpoint_store.type, 'postgres');
  assert.doesNotMatch(inspect(cfg), /pw-123/);
  const bad = eventHubSchema.safeParse({
    name: 'x',
    connection_string: CS,
    checkpoint_store: { type: 'postgres', url: 'mysql://db' },
  });
  assert.equal(bad.success, false);
  assert.match(bad.error?.issues[0]?.message ?? '', /postgres:\/\/ URL/);
});
