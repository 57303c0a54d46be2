import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import { eventIdOf } from '../../core/source-record.ts';
import { eventHubSchema } from './config.ts';
import { EventHubSource } from './eventhub-source.ts';
import type { EventHubMetadata } from './to-audit-record.ts';
import { azuriteAvailable, startAzurite, type Azurite } from './testing/azurite.ts';
import { startFakeEventHub, type FakeEventHub } from './testing/fake-event-hub.ts';
import { RecordingDelivery } from './testing/recording-delivery.ts';
import { PostgresCheckpointStore } from './postgres-checkpoint-store.ts';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../../state/postgres/testing/postgres-server.ts';

const TENANT = '0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const signIn = (id: string) => ({
  time: '2026-11-24T10:00:00.0000000Z',
  tenantId: TENANT,
  category: 'SignInLogs',
  operationName: 'Sign-in activity',
  resultType: '0',
  properties: { id, userPrincipalName: `${id}@contoso.com` },
});
const defender = (device: string) => ({
  time: '2026-11-24T10:00:00Z',
  tenantId: TENANT,
  category: 'AdvancedHunting-DeviceInfo',
  properties: { DeviceId: device },
});

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function sourceConfig(hub: FakeEventHub, extra: Record<string, unknown> = {}) {
  return eventHubSchema.parse({
    name: 'entra',
    connection_string: hub.connectionString(),
    consumer_group: 'o365-intake',
    max_wait_time: 100,
    load_balancing: 'greedy',
    ownership_interval: 200,
    ownership_expiration: 5000,
    ...extra,
  });
}

function ids(delivery: RecordingDelivery): string[] {
  return delivery.delivered.map((r) => eventIdOf(r.tenantId, r.record) as string);
}

function sqliteCheckpoints(dataDir: string): Record<string, number> {
  const db = new Database(join(dataDir, 'eventhub-checkpoints.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT partition_id, sequence_number FROM eh_checkpoints').all() as {
      partition_id: string;
      sequence_number: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.partition_id, r.sequence_number]));
  } finally {
    db.close();
  }
}

describe('Event Hub source against a fake hub', () => {
  let hub: FakeEventHub;
  let dataDir: string;
  before(async () => {
    hub = await startFakeEventHub({ partitions: 2 });
    dataDir = mkdtempSync(join(tmpdir(), 'eh-source-'));
  });
  after(async () => {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('delivers unwrapped records, drops heartbeats, keeps invalid JSON, checkpoints; a restart resumes with no loss or duplicate', async () => {
    hub.publish('0', { records: [signIn('s1'), signIn('s2')] });
    hub.publish('0', { type: 'heartbeat' });
    hub.publish('1', 'definitely {not json');
    hub.publish('1', { records: [defender('d1')] });

    const delivery = new RecordingDelivery();
    const first = new EventHubSource({ config: sourceConfig(hub), delivery, dataDir });
    await first.start();
    await waitFor('4 records', () => delivery.delivered.length >= 4);
    await waitFor('checkpoints of both partitions', () => Object.keys(sqliteCheckpoints(dataDir)).length === 2);
    await first.stop();

    assert.deepEqual(sqliteCheckpoints(dataDir), { '0': 1, '1': 1 });
    const byKind = new Map(delivery.delivered.map((r) => [(r.record.EventHub as EventHubMetadata).kind, r]));
    assert.deepEqual([...byKind.keys()].sort(), ['defender', 'entra-signin', 'invalid']);
    const signInRecord = byKind.get('entra-signin')!;
    assert.equal(signInRecord.source, 'eventhub');
    assert.equal(signInRecord.contentType, 'EventHub');
    assert.equal(signInRecord.contentId, '0:0');
    assert.equal(signInRecord.tenantId, TENANT);
    const invalid = byKind.get('invalid')!;
    assert.equal(invalid.record.RawMessage, 'definitely {not json');
    assert.equal((invalid.record.EventHub as EventHubMetadata).error?.code, 'EVENTHUB_INVALID_JSON');
    assert.equal(invalid.tenantId, 'entra', 'no tenant in the payload: the hub name');
    assert.equal(byKind.get('defender')!.record.Id, 'hub/1/1/0');
    const health = (await first.streamHealth())[0]!;
    assert.equal(health.eventsTotal, 4);

    // While stopped: Azure re-sends s2 (same sign-in id) and new records arrive.
    hub.publish('0', { records: [signIn('s2'), signIn('s3')] });
    hub.publish('1', { records: [defender('d2')] });
    const second = new EventHubSource({ config: sourceConfig(hub), delivery, dataDir });
    await second.start();
    await waitFor('2 more records', () => delivery.delivered.length >= 6);
    await waitFor('checkpoints moved', () => sqliteCheckpoints(dataDir)['0'] === 2 && sqliteCheckpoints(dataDir)['1'] === 2);
    await sleep(300);
    await second.stop();

    const all = ids(delivery);
    assert.equal(new Set(all).size, all.length, `no duplicate in ${all.join(', ')}`);
    assert.deepEqual(all.slice(4).sort(), [`${TENANT}:SignInLogs/s3`, `${TENANT}:hub/1/2/0`]);
  });

  test('the checkpoint moves only after the sinks acknowledged; a failed batch is re-read, not lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eh-ack-'));
    const hub2 = await startFakeEventHub({ hubName: 'hub2', partitions: 1 });
    const delivery = new RecordingDelivery();
    const source = new EventHubSource({
      config: sourceConfig(hub2),
      delivery,
      dataDir: dir,
      maxDeliveryAttempts: 1,
      retryDelayMs: 10,
    });
    try {
      delivery.hold();
      hub2.publish('0', { records: [signIn('a1')] });
      await source.start();
      await waitFor('the batch to be read', () => hub2.deliveredCount('0') >= 1);
      await sleep(200);
      assert.deepEqual(sqliteCheckpoints(dir), {}, 'no checkpoint while the sink has not acknowledged');
      delivery.release();
      await waitFor('checkpoint', () => sqliteCheckpoints(dir)['0'] === 0);
      assert.equal(delivery.delivered.length, 1);

      delivery.failures = 1;
      hub2.publish('0', { records: [signIn('a2')] });
      await waitFor('the failed batch to be re-read and delivered', () => delivery.delivered.length === 2);
      await waitFor('checkpoint', () => sqliteCheckpoints(dir)['0'] === 1);
      assert.ok(hub2.deliveredCount('0') >= 3, 'the message was received again after the failure');
      const health = (await source.streamHealth())[0]!;
      assert.match(health.lastError?.message ?? '', /sink unavailable/);
      assert.deepEqual(ids(delivery), [`${TENANT}:SignInLogs/a1`, `${TENANT}:SignInLogs/a2`]);
    } finally {
      delivery.release();
      await source.stop();
      await hub2.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Event Hub source with Azure Blob checkpoints (Azurite)', {
  skip: azuriteAvailable() ? false : 'azurite is not installed (npm install azurite@3.35)',
}, () => {
  let azurite: Azurite;
  let hub: FakeEventHub;
  let dataDir: string;
  before(async () => {
    azurite = await startAzurite();
    hub = await startFakeEventHub({ hubName: 'xdr', partitions: 2 });
    dataDir = mkdtempSync(join(tmpdir(), 'eh-blob-'));
  });
  after(async () => {
    await hub.close();
    await azurite.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('restart resumes from the blob checkpoint; a lost checkpoint write causes no duplicate', async () => {
    const config = sourceConfig(hub, {
      tenant: 'contoso',
      checkpoint_store: { type: 'blob', connection_string: azurite.connectionString, container: 'eh-checkpoints' },
    });
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('eh-checkpoints');
    const blobStore = new BlobCheckpointStore(container);
    const checkpoints = async () => {
      const list = await blobStore.listCheckpoints('127.0.0.1', 'xdr', 'o365-intake');
      return Object.fromEntries(list.map((c) => [c.partitionId, c.sequenceNumber]));
    };
    for (let i = 0; i < 3; i++) hub.publish(String(i % 2), { records: [defender(`m${i}`)] });

    const delivery = new RecordingDelivery();
    const first = new EventHubSource({ config, delivery, dataDir });
    await first.start();
    await waitFor('3 records', () => delivery.delivered.length >= 3);
    await first.stop();
    assert.deepEqual(await checkpoints(), { '0': 1, '1': 0 });
    assert.equal(delivery.delivered[0]?.tenantId, 'contoso');

    // Simulate a crash after the sinks acknowledged but before the blob checkpoint was written.
    await blobStore.updateCheckpoint({
      fullyQualifiedNamespace: '127.0.0.1',
      eventHubName: 'xdr',
      consumerGroup: 'o365-intake',
      partitionId: '0',
      sequenceNumber: 0,
      offset: '0',
    });
    hub.publish('0', { records: [defender('m3')] });
    const second = new EventHubSource({ config, delivery, dataDir });
    await second.start();
    await waitFor('the new record', () => delivery.delivered.length >= 4);
    await waitFor('blob checkpoint moved', async () => (await checkpoints())['0'] === 2);
    await sleep(300);
    await second.stop();
    assert.equal((await checkpoints())['0'], 2);
    const all = ids(delivery);
    assert.equal(all.length, 4, `exactly the 4 records, got ${all.join(', ')}`);
    assert.equal(new Set(all).size, 4);
    assert.ok(hub.deliveredCount('0') >= 4, 'message 1 of partition 0 was read again and dropped as already delivered');
  });
});

describe('Event Hub source with PostgreSQL checkpoints', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let hub: FakeEventHub;
  let dataDir: string;
  before(async () => {
    server = await startPostgres();
    hub = await startFakeEventHub({ hubName: 'pghub', partitions: 2 });
    dataDir = mkdtempSync(join(tmpdir(), 'eh-pg-'));
  });
  after(async () => {
    await hub.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('ownership is compare-and-swap; a restart resumes from the PostgreSQL checkpoint', async () => {
    const store = await PostgresCheckpointStore.open(server.url);
    try {
      const claim = { fullyQualifiedNamespace: 'ns', eventHubName: 'h', consumerGroup: 'cg', partitionId: '0', ownerId: 'a' };
      const [mine] = await store.claimOwnership([claim]);
      assert.ok(mine?.etag);
      assert.deepEqual(
        await store.claimOwnership([{ ...claim, ownerId: 'b' }]),
        [],
        'already owned: a claim without the etag fails',
      );
      assert.deepEqual(await store.claimOwnership([{ ...claim, ownerId: 'b', etag: 'stale' }]), []);
      assert.equal((await store.claimOwnership([{ ...claim, ownerId: 'b', etag: mine.etag }]))[0]?.ownerId, 'b');

      const config = sourceConfig(hub, { checkpoint_store: { type: 'postgres', url: server.url } });
      hub.publish('0', { records: [signIn('p1'), signIn('p2')] });
      hub.publish('1', { records: [defender('p3')] });
      const delivery = new RecordingDelivery();
      const first = new EventHubSource({ config, delivery, dataDir });
      await first.start();
      await waitFor('3 records', () => delivery.delivered.length >= 3);
      await waitFor('checkpoints', async () => (await store.listCheckpoints('127.0.0.1', 'pghub', 'o365-intake')).length === 2);
      await first.stop();

      hub.publish('0', { records: [signIn('p4')] });
      const second = new EventHubSource({ config, delivery, dataDir });
      await second.start();
      await waitFor('the new record', () => delivery.delivered.length >= 4);
      await sleep(300);
      await second.stop();
      assert.deepEqual(
        ids(delivery).sort(),
        [`${TENANT}:SignInLogs/p1`, `${TENANT}:SignInLogs/p2`, `${TENANT}:SignInLogs/p4`, `${TENANT}:pghub/1/0/0`],
        'each record once',
      );
      const checkpoints = await store.listCheckpoints('127.0.0.1', 'pghub', 'o365-intake');
      assert.deepEqual(Object.fromEntries(checkpoints.map((c) => [c.partitionId, c.sequenceNumber])), { '0': 1, '1': 0 });
    } finally {
      await store.close();
    }
  });
});
