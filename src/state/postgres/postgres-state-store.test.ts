import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { BatchCommit, StreamKey } from '../state-store.ts';
import { Secret } from '../../core/secret.ts';
import { checkCollectionBookkeeping } from '../testing/bookkeeping-contract.ts';
import { LeaseLostError } from './errors.ts';
import { PostgresStateStore, redactUrl } from './postgres-state-store.ts';
import { findPostgresBin, POSTGRES_SKIP_REASON, startPostgres, type TestPostgres } from './testing/postgres-server.ts';

const T1 = '11111111-1111-1111-1111-111111111111';
const T2 = '22222222-2222-2222-2222-222222222222';
const key = (tenantId: string, contentType: string): StreamKey => ({ tenantId, contentType });
const blob = (contentId: string, contentCreated: number, expiration = Date.now() + 86_400_000) => ({
  contentId,
  contentUri: `https://api.example/${contentId}`,
  contentCreated,
  expiration,
});
const commit = (k: StreamKey, contentId: string, extra: Partial<BatchCommit> = {}): BatchCommit => ({
  key: k,
  contentId,
  delivered: 2,
  done: true,
  eventIds: [`${k.tenantId}:e1-${contentId}`, `${k.tenantId}:e2-${contentId}`],
  seenUntil: Date.now() + 86_400_000,
  eventsDelivered: 2,
  positions: { file: `pos-${contentId}` },
  contentCreated: 1000,
  ...extra,
});

describe('PostgresStateStore', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let databases = 0;
  const opened: PostgresStateStore[] = [];

  /** A fresh database per test, so tests do not see each other's streams. */
  async function freshDatabase(): Promise<string> {
    const name = `t${++databases}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }

  async function open(url: string, workerId: string, leaseTtlMs = 30_000): Promise<PostgresStateStore> {
    const store = await PostgresStateStore.open(url, { workerId, nodeId: `node-${workerId}`, leaseTtlMs, poolSize: 2 });
    opened.push(store);
    return store;
  }

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await server?.stop();
  });

  test('implements the StateStore: queue, dedup, commits, failures, expiry, health, prune', async () => {
    const store = await open(await freshDatabase(), 'w1');
    const ex = key(T1, 'Audit.Exchange');
    await store.registerStream(ex, 'contoso');
    await store.registerStream(ex, 'contoso-renamed');
    await assert.rejects(store.setListedThrough(ex, 5), LeaseLostError, 'writes need the lease');
    const { acquired } = await store.leases.tick();
    assert.deepEqual(
      acquired.map((l) => [l.key, l.tenantName, l.version]),
      [[ex, 'contoso-renamed', 1]],
    );

    assert.deepEqual(await store.getStream(ex), { subscriptionEnabled: false });
    await store.setSubscription(ex, false, 111);
    await store.setSubscription(ex, true);
    await store.setListedThrough(ex, 5000);
    assert.deepEqual(await store.getStream(ex), { subscriptionEnabled: true, listedThrough: 5000, lastStartAttemptAt: 111 });

    const now = Date.now();
    const added = await store.enqueueBlobs(ex, [blob('b2', 2000), blob('b1', 1000), blob('old', 500, now - 1)], now);
    assert.deepEqual(added.map((b) => b.contentId).sort(), ['b1', 'b2', 'old']);
    const b3 = blob('b3', 3000);
    assert.deepEqual(await store.enqueueBlobs(ex, [blob('b1', 1000), b3], now), [b3]);
    assert.deepEqual(
      (await store.dueBlobs(ex, now, 10)).map((b) => b.contentId),
      ['old', 'b1', 'b2', 'b3'],
    );

    const failed = await store.recordBlobFailure(ex, 'b2', { error: 'HTTP 500', nextAttemptAt: now + 60_000, quarantine: true });
    assert.equal(failed?.state, 'quarantined');
    assert.equal(failed?.attempts, 1);
    assert.deepEqual(
      (await store.dueBlobs(ex, now + 120_000, 10)).map((b) => b.contentId),
      ['old', 'b1', 'b3', 'b2'],
      'quarantined last',
    );

    assert.deepEqual(
      (await store.overdueBlobs(now)).map((b) => b.contentId),
      ['old'],
    );
    await store.markBlobExpired(ex, 'old', 'expired');
    await store.markBlobExpired(ex, 'old', 'expired');

    await store.commitBatches([commit(ex, 'b1')]);
    await assert.rejects(store.commitBatches([commit(ex, 'nope')]), /not in the queue/);
    assert.deepEqual([...(await store.filterSeen([`${T1}:e1-b1`, `${T1}:zzz`]))], [`${T1}:e1-b1`]);
    assert.deepEqual(await store.sinkPositions(), { file: 'pos-b1' });
    await store.recordPoll(ex, now);

    const [health] = await store.streamHealth();
    assert.equal(health?.tenantName, 'contoso-renamed');
    assert.equal(health?.status, 'degraded');
    assert.equal(health?.eventsTotal, 2);
    assert.equal(health?.pendingBlobs, 1);
    assert.equal(health?.quarantinedBlobs, 1);
    assert.equal(health?.expiredBlobs, 1);
    assert.equal(health?.newestContentAt, 1000);

    await store.recordPoll(ex, now + 1, { code: 'HTTP_503', message: 'unavailable' });
    assert.deepEqual((await store.streamHealth())[0]?.lastError, { code: 'HTTP_503', message: 'unavailable', at: now + 1 });
    assert.equal((await store.streamHealth())[0]?.status, 'error');

    const pruned = await store.prune(Date.now() + 2 * 86_400_000);
    assert.deepEqual(pruned, { blobs: 2, events: 2 });
  });

  test('failed windows, ledger lookups, reconciliation reports; stored error text is scrubbed of secrets', async () => {
    const store = await open(await freshDatabase(), 'wb');
    const ex = key(T1, 'Audit.Exchange');
    await store.registerStream(ex, 'contoso');
    await store.leases.tick();
    new Secret('pg-state-secret');
    await checkCollectionBookkeeping(store, ex, 'pg-state-secret');
  });

  test('workers share the streams fairly; a clean close hands them over at once', async () => {
    const url = await freshDatabase();
    const a = await open(url, 'a');
    const b = await open(url, 'b');
    for (const t of [T1, T2]) for (const ct of ['Audit.Exchange', 'Audit.General']) await a.registerStream(key(t, ct), t);

    assert.equal((await a.leases.tick()).held.length, 4, 'alone, A takes everything');
    assert.equal((await b.leases.tick()).held.length, 0, 'nothing is free yet');
    const { excess } = await a.leases.tick();
    assert.equal(excess, 2, 'B joined: A holds 2 more than its share');
    const giveBack = a.leases.pickExcess(excess);
    assert.deepEqual(
      giveBack.map((l) => l.key.tenantId),
      [T2, T2],
      'A gives back a whole tenant',
    );
    assert.deepEqual(a.leases.pickExcess(1), [], 'never half a tenant');
    await a.leases.release(giveBack);
    assert.deepEqual(
      (await b.leases.tick()).acquired.map((l) => l.key.tenantId),
      [T2, T2],
    );
    assert.deepEqual(
      a.leases.held().map((l) => l.key.tenantId),
      [T1, T1],
    );

    await a.close();
    opened.splice(opened.indexOf(a), 1);
    assert.equal((await b.leases.tick()).held.length, 4, 'A left: B takes its streams without waiting for the expiry');
  });

  test('a stalled worker loses its lease to another and its stale writes are rejected (fencing)', async () => {
    const url = await freshDatabase();
    const stalled = await open(url, 'stalled', 1000);
    const other = await open(url, 'other', 1000);
    const ex = key(T1, 'Audit.Exchange');
    await stalled.registerStream(ex, 'contoso');
    const [lease] = (await stalled.leases.tick()).acquired;
    assert.equal(lease?.version, 1);
    await stalled.enqueueBlobs(ex, [blob('b1', 1000)], Date.now());

    await sleep(1300); // the stalled worker misses its renewals; its lease expires
    const { acquired } = await other.leases.tick();
    assert.deepEqual(
      acquired.map((l) => l.version),
      [2],
      'the other worker takes over with a new fencing token',
    );

    await assert.rejects(stalled.commitBatches([commit(ex, 'b1')]), (err: unknown) => {
      assert.ok(err instanceof LeaseLostError);
      assert.equal(err.code, 'LEASE_LOST');
      assert.deepEqual(err.key, ex);
      return true;
    });
    await assert.rejects(stalled.setListedThrough(ex, 99), LeaseLostError);
    await stalled.recordPoll(ex, 12345, { code: 'LEASE_LOST', message: 'stale' });
    assert.equal((await other.streamHealth())[0]?.lastPollAt, undefined, "a stale worker's health write is ignored");
    assert.equal((await other.filterSeen([`${T1}:e1-b1`])).size, 0, 'the rejected commit left no seen id');
    assert.equal((await other.dueBlobs(ex, Date.now(), 10))[0]?.delivered, 0, 'nor any progress');
    assert.equal((await other.getStream(ex)).listedThrough, undefined);

    await other.commitBatches([commit(ex, 'b1')]);
    assert.equal((await other.filterSeen([`${T1}:e1-b1`])).size, 1);
    const { lost } = await stalled.leases.tick();
    assert.deepEqual(lost, [], 'already forgotten when the write was rejected');
    assert.equal(stalled.leases.held().length, 0);
  });

  test('a lease heartbeat never waits for the store connections, even when every one is blocked', async () => {
    const url = await freshDatabase();
    const store = await open(url, 'busy'); // poolSize 2
    const blocked = key(T1, 'Audit.Exchange');
    const free = key(T2, 'Audit.Exchange');
    await store.registerStream(blocked, 'contoso');
    await store.registerStream(free, 'fabrikam');
    const locker = new pg.Client({ connectionString: url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM o365_streams WHERE tenant_id = $1 FOR UPDATE', [T1]);
      assert.deepEqual(
        (await store.leases.tick()).acquired.map((l) => l.key.tenantId),
        [T2],
        'a locked stream is skipped',
      );
      // Both store connections now wait on the row lock, as collector transactions can under load.
      const stuck = [store.registerStream(blocked, 'contoso'), store.registerStream(blocked, 'contoso')];
      await sleep(200);
      const outcome = await Promise.race([
        store.leases.tick().then((c) => c.held.map((l) => l.key.tenantId)),
        sleep(15_000).then(() => 'starved'),
      ]);
      assert.deepEqual(outcome, [T2], 'the lease was renewed while the store connections were busy');
      await locker.query('COMMIT');
      await Promise.all(stuck);
    } finally {
      await locker.end();
    }
  });

  test('baseline sink positions: recorded per node when missing, never over a committed position', async () => {
    const url = await freshDatabase();
    const a = await open(url, 'a');
    const b = await open(url, 'b');
    const ex = key(T1, 'Audit.Exchange');
    await a.registerStream(ex, 'contoso');
    await a.leases.tick();
    await a.recordBaselinePositions({ file: '10' });
    await a.recordBaselinePositions({ file: '99', other: '5' });
    assert.deepEqual(await a.sinkPositions(), { file: '10', other: '5' });
    assert.deepEqual(await b.sinkPositions(), {}, 'positions are per node');
    await a.enqueueBlobs(ex, [blob('b1', 1000)], Date.now());
    await a.commitBatches([commit(ex, 'b1', { positions: { file: '42' } })]);
    await a.recordBaselinePositions({ file: '0' });
    assert.deepEqual(await a.sinkPositions(), { file: '42', other: '5' });
  });

  test('a lost lease is reported by the next heartbeat; connection errors name the database without its password', async () => {
    const url = await freshDatabase();
    const first = await open(url, 'first', 800);
    const second = await open(url, 'second', 800);
    await first.registerStream(key(T1, 'DLP.All'), 'contoso');
    await first.leases.tick();
    await sleep(1000);
    await second.leases.tick();
    assert.deepEqual(
      (await first.leases.tick()).lost.map((l) => l.key.contentType),
      ['DLP.All'],
    );

    assert.equal(redactUrl('postgres://svc:hunter2@db:5432/x'), 'postgres://svc:[redacted]@db:5432/x');
    await assert.rejects(PostgresStateStore.open('postgres://svc:hunter2@127.0.0.1:1/x'), (err: Error) => {
      assert.match(err.message, /cannot open PostgreSQL state postgres:\/\/svc:\[redacted\]@127\.0\.0\.1:1\/x/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  });
});
