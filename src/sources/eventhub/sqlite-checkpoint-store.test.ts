import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCheckpointStore } from './sqlite-checkpoint-store.ts';

const NS = 'ns.servicebus.windows.net';
const owner = (partitionId: string, ownerId: string, etag?: string) => ({
  fullyQualifiedNamespace: NS,
  eventHubName: 'hub',
  consumerGroup: 'cg',
  partitionId,
  ownerId,
  ...(etag ? { etag } : {}),
});

function withStore(fn: (path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eh-ckpt-'));
    try {
      await fn(join(dir, 'nested', 'eventhub-checkpoints.db'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'ownership claims are compare-and-swap on the etag',
  withStore(async (path) => {
    const a = new SqliteCheckpointStore(path);
    const b = new SqliteCheckpointStore(path);
    try {
      const [claimed] = await a.claimOwnership([owner('0', 'A')]);
      assert.ok(claimed?.etag);
      assert.equal((await b.claimOwnership([owner('0', 'B')])).length, 0, 'a claim without the current etag fails');
      assert.equal((await b.claimOwnership([owner('0', 'B', 'stale-etag')])).length, 0);
      const listed = await b.listOwnership(NS, 'hub', 'cg');
      assert.equal(listed[0]?.ownerId, 'A');
      const [stolen] = await b.claimOwnership([owner('0', 'B', listed[0]?.etag)]);
      assert.equal(stolen?.ownerId, 'B');
      assert.equal((await a.claimOwnership([owner('0', 'A', claimed?.etag)])).length, 0, 'A lost it: its etag is stale');
      assert.deepEqual(await a.listOwnership(NS, 'other-hub', 'cg'), []);
    } finally {
      a.close();
      b.close();
    }
  }),
);

test(
  'checkpoints, seen ids and sink positions are committed together and survive a reopen',
  withStore(async (path) => {
    const store = new SqliteCheckpointStore(path);
    const checkpoint = {
      fullyQualifiedNamespace: NS,
      eventHubName: 'hub',
      consumerGroup: 'cg',
      partitionId: '1',
      sequenceNumber: 7,
      offset: '448',
    };
    await store.commitDelivered({
      checkpoint,
      eventIds: ['t:a', 't:b'],
      seenUntil: Date.now() + 60_000,
      positions: { file: '1234' },
    });
    store.close();
    const reopened = new SqliteCheckpointStore(path);
    try {
      assert.deepEqual(await reopened.listCheckpoints(NS, 'hub', 'cg'), [checkpoint]);
      assert.deepEqual([...(await reopened.filterSeen(['t:a', 't:c', 't:b']))].sort(), ['t:a', 't:b']);
      assert.deepEqual(await reopened.sinkPositions(), { file: '1234' });
      await reopened.updateCheckpoint({ ...checkpoint, sequenceNumber: 9, offset: '576' });
      assert.equal((await reopened.listCheckpoints(NS, 'hub', 'cg'))[0]?.sequenceNumber, 9);
      assert.equal(await reopened.prune(Date.now() + 120_000), 2);
      assert.equal((await reopened.filterSeen(['t:a'])).size, 0);
    } finally {
      reopened.close();
    }
  }),
);

test(
  'a failed commit leaves nothing behind',
  withStore(async (path) => {
    const store = new SqliteCheckpointStore(path);
    try {
      const bad = {
        fullyQualifiedNamespace: NS,
        eventHubName: 'hub',
        consumerGroup: 'cg',
        partitionId: '1',
        sequenceNumber: 7,
        offset: undefined as unknown as string,
      };
      await assert.rejects(
        store.commitDelivered({ checkpoint: bad, eventIds: ['t:a'], seenUntil: Date.now() + 60_000, positions: { file: '1' } }),
        /no offset/,
      );
      assert.equal((await store.filterSeen(['t:a'])).size, 0);
      assert.deepEqual(await store.sinkPositions(), {});
    } finally {
      store.close();
    }
  }),
);
