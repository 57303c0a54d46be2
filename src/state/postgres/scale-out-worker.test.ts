import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { SinkDelivery } from '../../collector/testing/sink-delivery.ts';
import { parseConfig } from '../../config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { silentLogger } from '../../observability/logger.ts';
import { PostgresStateStore } from './postgres-state-store.ts';
import { ScaleOutWorker } from './scale-out-worker.ts';
import { findPostgresBin, POSTGRES_SKIP_REASON, startPostgres, type TestPostgres } from './testing/postgres-server.ts';

describe('ScaleOutWorker node ids', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  let databases = 0;
  const opened: PostgresStateStore[] = [];
  const config = parseConfig({ tenants: [], collection: {} });

  async function freshDatabase(): Promise<string> {
    const name = `w${++databases}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return server.url.replace(/\/postgres$/, `/${name}`);
  }
  async function worker(url: string, workerId: string, nodeId: string): Promise<ScaleOutWorker> {
    const store = await PostgresStateStore.open(url, { workerId, nodeId, leaseTtlMs: 900, poolSize: 1 });
    opened.push(store);
    return new ScaleOutWorker({ config, store, delivery: new SinkDelivery([]), logger: silentLogger, heartbeatMs: 300 });
  }

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await Promise.allSettled(opened.map((s) => s.close()));
    await server?.stop();
  });

  test('a second live worker with the same node id refuses to start (its sink positions would be overwritten)', async () => {
    const url = await freshDatabase();
    const first = await worker(url, 'first', 'machine-1');
    await first.start();
    await assert.rejects((await worker(url, 'second', 'machine-1')).start(), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.path, 'scale_out.node_id');
      assert.match(err.message, /"machine-1" is also the node id of live worker\(s\) first/);
      return true;
    });
    const elsewhere = await worker(url, 'third', 'machine-2');
    await elsewhere.start();
    await elsewhere.stop();

    await first.stop(); // a clean stop leaves the worker list: the node id is free at once
    const next = await worker(url, 'fourth', 'machine-1');
    await next.start();
    await next.stop();
  });

  test('a process restarted after a crash waits for its dead predecessor to go stale, then starts', async () => {
    const url = await freshDatabase();
    const crashed = await PostgresStateStore.open(url, {
      workerId: 'before-crash',
      nodeId: 'machine-1',
      leaseTtlMs: 900,
      poolSize: 1,
    });
    opened.push(crashed);
    await crashed.leases.join(); // announced, then never heard of again
    const restarted = await worker(url, 'after-crash', 'machine-1');
    await restarted.start();
    assert.deepEqual(await opened.at(-1)!.leases.liveWorkersOnNode(), []);
    await restarted.stop();
  });
});
