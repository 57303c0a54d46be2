import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION } from './sqlite-schema.ts';
import { SqliteStateStore } from './sqlite-state-store.ts';
import { openStateStore } from './open-state-store.ts';
import { Secret } from '../core/secret.ts';
import { checkCollectionBookkeeping } from './testing/bookkeeping-contract.ts';

const key = { tenantId: 'tid-1', contentType: 'Audit.Exchange' };
const DAY = 86_400_000;
const blob = (id: string, created: number, expiration = created + 7 * 86_400_000) => ({
  contentId: id,
  contentUri: `https://api.test/${id}`,
  contentCreated: created,
  expiration,
});
const tempFile = () => join(mkdtempSync(join(tmpdir(), 'state-')), 'sub', 'state.db');

test('stream cursor and subscription survive a reopen', async () => {
  const path = tempFile();
  const store = new SqliteStateStore(path);
  assert.deepEqual(await store.getStream(key), { subscriptionEnabled: false });
  await store.setListedThrough(key, 1000);
  await store.setSubscription(key, true, 500);
  await store.setSubscription(key, true);
  await store.close();
  const reopened = await openStateStore(path);
  assert.deepEqual(await reopened.getStream(key), { subscriptionEnabled: true, listedThrough: 1000, lastStartAttemptAt: 500 });
  await reopened.close();
});

test('a state file of a newer schema is refused with its version; this schema is recorded', async () => {
  const path = tempFile();
  await new SqliteStateStore(path).close();
  const db = new Database(path);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(() => new SqliteStateStore(path), new RegExp(`written by a newer version \\(schema ${SCHEMA_VERSION + 1}\\)`));
});

test('the ledger enqueues a contentId once, due blobs come oldest first, quarantined last', async () => {
  const store = new SqliteStateStore(':memory:');
  const added = await store.enqueueBlobs(key, [blob('b', 20), blob('a', 10)], 0);
  assert.deepEqual(
    added.map((b) => b.contentId),
    ['b', 'a'],
  );
  assert.deepEqual(await store.enqueueBlobs(key, [blob('a', 10), blob('c', 30)], 0), [blob('c', 30)]);
  assert.deepEqual(
    (await store.dueBlobs(key, 0, 10)).map((b) => b.contentId),
    ['a', 'b', 'c'],
  );
  const failed = await store.recordBlobFailure(key, 'a', { error: 'boom', nextAttemptAt: 5, quarantine: true });
  assert.equal(failed?.attempts, 1);
  assert.equal(failed?.state, 'quarantined');
  assert.deepEqual(
    (await store.dueBlobs(key, 0, 10)).map((b) => b.contentId),
    ['b', 'c'],
  );
  assert.deepEqual(
    (await store.dueBlobs(key, 5, 10)).map((b) => b.contentId),
    ['b', 'c', 'a'],
  );
  const other = { tenantId: 'tid-2', contentType: 'Audit.Exchange' };
  assert.deepEqual(await store.dueBlobs(other, 10, 10), []);
  await store.close();
});

test('commitBatches stores progress, seen ids and sink positions together; a bad commit changes nothing', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.registerStream(key, 'contoso');
  await store.enqueueBlobs(key, [blob('a', 10)], 0);
  await store.commitBatches([
    {
      key,
      contentId: 'a',
      delivered: 2,
      done: false,
      eventIds: ['tid-1:1', 'tid-1:2'],
      seenUntil: 100,
      eventsDelivered: 2,
      positions: { file: '42' },
      contentCreated: 10,
    },
  ]);
  let [queued] = await store.dueBlobs(key, 0, 10);
  assert.equal(queued?.delivered, 2);
  assert.deepEqual(await store.filterSeen(['tid-1:1', 'tid-1:3']), new Set(['tid-1:1']));
  assert.deepEqual(await store.sinkPositions(), { file: '42' });
  await assert.rejects(
    store.commitBatches([
      {
        key,
        contentId: 'missing',
        delivered: 1,
        done: true,
        eventIds: ['tid-1:9'],
        seenUntil: 100,
        eventsDelivered: 1,
        positions: { file: '99' },
        contentCreated: 10,
      },
    ]),
    /blob missing .* is not in the queue/,
  );
  assert.deepEqual(await store.filterSeen(['tid-1:9']), new Set());
  assert.deepEqual(await store.sinkPositions(), { file: '42' });
  await store.commitBatches([
    {
      key,
      contentId: 'a',
      delivered: 3,
      done: true,
      eventIds: ['tid-1:3'],
      seenUntil: 100,
      eventsDelivered: 1,
      positions: { file: '50' },
      contentCreated: 10,
    },
  ]);
  [queued] = await store.dueBlobs(key, 0, 10);
  assert.equal(queued, undefined);
  assert.deepEqual(await store.enqueueBlobs(key, [blob('a', 10)], 0), [], 'a done blob stays in the ledger');
  const [health] = await store.streamHealth();
  assert.equal(health?.tenantName, 'contoso');
  assert.equal(health?.eventsTotal, 3);
  assert.equal(health?.newestContentAt, 10);
  await store.close();
});

test('expired blobs are counted; prune drops expired ledger rows and seen ids only', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.enqueueBlobs(key, [blob('old', 1, 50), blob('new', 2, 3 * DAY)], 0);
  assert.deepEqual(
    (await store.overdueBlobs(60)).map((b) => b.contentId),
    ['old'],
  );
  await store.markBlobExpired(key, 'old', 'AF20051');
  await store.markBlobExpired(key, 'old', 'AF20051');
  assert.deepEqual(await store.overdueBlobs(60), []);
  await store.commitBatches([
    {
      key,
      contentId: 'new',
      delivered: 1,
      done: true,
      eventIds: ['x', 'y'],
      seenUntil: DAY + 70,
      eventsDelivered: 1,
      positions: {},
      contentCreated: 2,
    },
  ]);
  await store.commitBatches([
    {
      key,
      contentId: 'new',
      delivered: 1,
      done: true,
      eventIds: ['z'],
      seenUntil: 2 * DAY + 700,
      eventsDelivered: 0,
      positions: {},
      contentCreated: 2,
    },
  ]);
  assert.deepEqual(await store.prune(2 * DAY), { blobs: 1, events: 2 }, 'seen ids go with their whole day');
  assert.deepEqual(await store.filterSeen(['x', 'z']), new Set(['z']));
  const [health] = await store.streamHealth();
  assert.equal(health?.expiredBlobs, 1);
  await store.close();
});

test('health: error after a failed poll, ok after a successful one, degraded with quarantined blobs', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.registerStream(key, 'contoso');
  assert.equal((await store.streamHealth())[0]?.status, 'starting');
  await store.recordPoll(key, 10, { code: 'AUTH', message: 'invalid client secret' });
  let [health] = await store.streamHealth();
  assert.equal(health?.status, 'error');
  assert.deepEqual(health?.lastError, { code: 'AUTH', message: 'invalid client secret', at: 10 });
  await store.recordPoll(key, 20);
  assert.equal((await store.streamHealth())[0]?.status, 'ok');
  await store.enqueueBlobs(key, [blob('a', 1)], 0);
  await store.recordBlobFailure(key, 'a', { error: 'x', nextAttemptAt: 0, quarantine: true });
  [health] = await store.streamHealth();
  assert.equal(health?.status, 'degraded');
  assert.equal(health?.quarantinedBlobs, 1);
  assert.equal(health?.pendingBlobs, 0);
  await store.close();
});

test('filterSeen works past the bound-parameter chunk size', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.enqueueBlobs(key, [blob('a', 1)], 0);
  const ids = Array.from({ length: 1200 }, (_, i) => `id-${i}`);
  await store.commitBatches([
    {
      key,
      contentId: 'a',
      delivered: 1200,
      done: true,
      eventIds: ids,
      seenUntil: 10,
      eventsDelivered: 1200,
      positions: {},
      contentCreated: 1,
    },
  ]);
  assert.equal((await store.filterSeen([...ids, 'other'])).size, 1200);
  await store.close();
});

test('a postgres URL is a clear configuration error for now', async () => {
  await assert.rejects(openStateStore('postgres://db/x'), /state: PostgreSQL state is not available/);
});

test('re-listing a waiting blob with a new contentUri replaces it and makes the blob due; done blobs keep theirs', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.enqueueBlobs(key, [{ ...blob('a', 1), contentUri: 'https://evil.test/a' }, blob('b', 2)], 0);
  await store.recordBlobFailure(key, 'a', { error: 'host', nextAttemptAt: 1000, quarantine: true });
  await store.commitBatches([
    {
      key,
      contentId: 'b',
      delivered: 0,
      done: true,
      eventIds: [],
      seenUntil: 1,
      eventsDelivered: 0,
      positions: {},
      contentCreated: 2,
    },
  ]);
  assert.deepEqual(await store.enqueueBlobs(key, [blob('a', 1), { ...blob('b', 2), contentUri: 'https://other.test/b' }], 5), []);
  const due = await store.dueBlobs(key, 5, 10);
  assert.deepEqual(
    due.map((b) => [b.contentId, b.contentUri]),
    [['a', 'https://api.test/a']],
  );
  await store.close();
});

test('baseline sink positions are recorded once and never override a committed position', async () => {
  const store = new SqliteStateStore(':memory:');
  await store.recordBaselinePositions({ file: '0', other: '10' });
  await store.enqueueBlobs(key, [blob('a', 1)], 0);
  await store.commitBatches([
    {
      key,
      contentId: 'a',
      delivered: 1,
      done: true,
      eventIds: ['x'],
      seenUntil: 10,
      eventsDelivered: 1,
      positions: { file: '25' },
      contentCreated: 1,
    },
  ]);
  await store.recordBaselinePositions({ file: '99', other: '99' });
  assert.deepEqual(await store.sinkPositions(), { file: '25', other: '10' });
  await store.close();
});

test('failed windows, ledger lookups, reconciliation reports; stored error text is scrubbed of secrets', async () => {
  const store = new SqliteStateStore(':memory:');
  new Secret('state-secret-value');
  await store.registerStream(key, 'contoso');
  await checkCollectionBookkeeping(store, key, 'state-secret-value');
  await store.close();
});
