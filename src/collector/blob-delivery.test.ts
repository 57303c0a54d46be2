import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DeliverFn, Delivery } from '../core/delivery.ts';
import type { SourceRecord } from '../core/source-record.ts';
import { SqliteStateStore } from '../state/sqlite-state-store.ts';
import type { BatchCommit, QueuedBlob, StreamKey } from '../state/state-store.ts';
import { BlobDelivery, type BlobBatch } from './blob-delivery.ts';
import { tempDir } from './testing/harness.ts';

const TENANT = '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b';
const EXCHANGE: StreamKey = { tenantId: TENANT, contentType: 'Audit.Exchange' };
const SHAREPOINT: StreamKey = { tenantId: TENANT, contentType: 'Audit.SharePoint' };
const HOUR = 3_600_000;
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A Delivery that records every delivered call; while `hold` is set, the next delivery waits for it. */
class RecordingDelivery implements Delivery {
  calls: SourceRecord[][] = [];
  hold: Promise<void> | undefined;
  entered: (() => void) | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #position = 0;

  exclusive<T>(fn: (deliver: DeliverFn) => Promise<T>): Promise<T> {
    const run = this.#tail.catch(() => undefined).then(() => fn((records) => this.#deliver(records)));
    this.#tail = run;
    return run;
  }

  async #deliver(records: readonly SourceRecord[]): Promise<Record<string, string>> {
    this.calls.push([...records]);
    this.entered?.();
    if (this.hold) await this.hold;
    this.#position += records.length;
    return { file: String(this.#position) };
  }
}

/** The real SQLite state store, counting its group commits. */
class CountingState extends SqliteStateStore {
  groups: (readonly BatchCommit[])[] = [];
  override async commitBatches(commits: readonly BatchCommit[]): Promise<void> {
    this.groups.push(commits);
    return super.commitBatches(commits);
  }
}

async function queue(state: SqliteStateStore, key: StreamKey, contentId: string): Promise<QueuedBlob> {
  const now = Date.now();
  const listed = { contentId, contentUri: `https://api.test/${contentId}`, contentCreated: now - HOUR, expiration: now + HOUR };
  await state.enqueueBlobs(key, [listed], now);
  const blob = (await state.dueBlobs(key, now, 100)).find((b) => b.contentId === contentId);
  assert.ok(blob, `${contentId} queued`);
  return blob;
}

const batch = (key: StreamKey, blob: QueuedBlob, ids: number[]): BlobBatch => ({
  key,
  tenantName: 'contoso',
  blob,
  elements: ids.map((n) => ({ record: { Id: guid(n), RecordType: 2, CreationTime: '2026-12-01T10:00:00' } })),
  deliveredThrough: ids.length,
  done: true,
  dedupUntil: Date.now() + 8 * 24 * HOUR,
});

test('group commit: batches of several blobs and streams that wait meanwhile are delivered in one call and committed in one transaction', async () => {
  const state = new CountingState(join(tempDir(), 'state.db'));
  const delivery = new RecordingDelivery();
  const blobs = new BlobDelivery(state, delivery, { maxRecords: 100, maxBatches: 8 });
  try {
    const first = await queue(state, EXCHANGE, 'blob-1');
    const waiting = await Promise.all([
      queue(state, EXCHANGE, 'blob-2'),
      queue(state, SHAREPOINT, 'blob-3'),
      queue(state, SHAREPOINT, 'blob-4'),
    ]);
    let release!: () => void;
    delivery.hold = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (delivery.entered = resolve));
    const one = blobs.deliver(batch(EXCHANGE, first, [1, 2]));
    await entered; // the first group is in the sinks: the next three batches wait
    const others = [
      blobs.deliver(batch(EXCHANGE, waiting[0] as QueuedBlob, [3, 4])),
      // id 4 again, from another blob in the same group: delivered once (duplicates by design).
      blobs.deliver(batch(SHAREPOINT, waiting[1] as QueuedBlob, [4, 5, 6])),
      blobs.deliver(batch(SHAREPOINT, waiting[2] as QueuedBlob, [7])),
    ];
    delivery.hold = undefined;
    release();
    assert.deepEqual(await one, { delivered: 2, duplicates: 0 });
    assert.deepEqual(await Promise.all(others), [
      { delivered: 2, duplicates: 0 },
      { delivered: 2, duplicates: 1 },
      { delivered: 1, duplicates: 0 },
    ]);
    assert.deepEqual(
      delivery.calls.map((records) => records.map((r) => r.record.Id)),
      [[guid(1), guid(2)], [3, 4, 5, 6, 7].map(guid)],
      'two deliveries: the first batch alone, then the three that waited, together',
    );
    assert.deepEqual(
      state.groups.map((g) => g.map((c) => c.contentId)),
      [['blob-1'], ['blob-2', 'blob-3', 'blob-4']],
      'two state transactions',
    );
    assert.deepEqual(await state.sinkPositions(), { file: '7' });
    for (const key of [EXCHANGE, SHAREPOINT]) assert.deepEqual(await state.dueBlobs(key, Date.now(), 10), [], 'every blob done');
    const health = await state.streamHealth();
    assert.deepEqual(
      health.map((h) => [h.contentType, h.eventsTotal]),
      [
        ['Audit.Exchange', 4],
        ['Audit.SharePoint', 3],
      ],
    );
    assert.equal((await state.filterSeen([3, 4, 5, 6, 7, 8].map((n) => `${TENANT}:${guid(n)}`))).size, 5);
  } finally {
    await state.close();
  }
});

test('group commit is all or nothing: one batch that cannot commit fails its whole group, and nothing of it is kept', async () => {
  const state = new CountingState(join(tempDir(), 'state.db'));
  const delivery = new RecordingDelivery();
  const blobs = new BlobDelivery(state, delivery);
  try {
    const first = await queue(state, EXCHANGE, 'blob-1');
    const second = await queue(state, EXCHANGE, 'blob-2');
    let release!: () => void;
    delivery.hold = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (delivery.entered = resolve));
    const one = blobs.deliver(batch(EXCHANGE, first, [1]));
    await entered;
    const gone: QueuedBlob = { ...second, contentId: 'never-listed' };
    const group = [blobs.deliver(batch(EXCHANGE, second, [2, 3])), blobs.deliver(batch(EXCHANGE, gone, [4]))];
    delivery.hold = undefined;
    release();
    await one;
    for (const result of await Promise.allSettled(group)) {
      assert.equal(result.status, 'rejected');
      assert.match(String((result as PromiseRejectedResult).reason), /never-listed .* is not in the queue/);
    }
    assert.equal(state.groups.length, 2, 'the failing group was one transaction');
    assert.deepEqual(
      (await state.dueBlobs(EXCHANGE, Date.now(), 10)).map((b) => b.contentId),
      ['blob-2'],
      "blob-2's progress was rolled back with the group",
    );
    assert.equal((await state.filterSeen([2, 3, 4].map((n) => `${TENANT}:${guid(n)}`))).size, 0, 'no id of the group kept');
    assert.deepEqual(await state.sinkPositions(), { file: '1' }, 'the sink position of the failed group was not committed');
  } finally {
    await state.close();
  }
});

test('group limits: a group takes at most maxBatches batches and maxRecords records (a bigger batch goes alone)', async () => {
  const state = new CountingState(join(tempDir(), 'state.db'));
  const delivery = new RecordingDelivery();
  const blobs = new BlobDelivery(state, delivery, { maxRecords: 4, maxBatches: 2 });
  try {
    const queued = await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => queue(state, EXCHANGE, id)));
    let release!: () => void;
    delivery.hold = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (delivery.entered = resolve));
    const first = blobs.deliver(batch(EXCHANGE, queued[0] as QueuedBlob, [1]));
    await entered;
    const rest = [
      blobs.deliver(batch(EXCHANGE, queued[1] as QueuedBlob, [2])),
      blobs.deliver(batch(EXCHANGE, queued[2] as QueuedBlob, [3])),
      blobs.deliver(batch(EXCHANGE, queued[3] as QueuedBlob, [4])),
      blobs.deliver(batch(EXCHANGE, queued[4] as QueuedBlob, [5, 6, 7, 8, 9])),
      blobs.deliver(batch(EXCHANGE, queued[5] as QueuedBlob, [10, 11])),
    ];
    delivery.hold = undefined;
    release();
    await Promise.all([first, ...rest]);
    assert.deepEqual(
      state.groups.map((g) => g.map((c) => c.contentId)),
      [['a'], ['b', 'c'], ['d'], ['e'], ['f']],
    );
  } finally {
    await state.close();
  }
});
