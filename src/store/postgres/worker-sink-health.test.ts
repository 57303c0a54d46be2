import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Sink } from '../../core/sink.ts';
import { silentLogger } from '../../observability/logger.ts';
import { metricsRegistry } from '../../observability/metrics.ts';
import {
  findPostgresBin,
  freePort,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../../state/postgres/testing/postgres-server.ts';
import { sinkSchema } from '../../sinks/config.ts';
import { createSinks } from '../../sinks/index.ts';
import { tempDir } from '../../sinks/test-support/events.ts';
import { buildSinkHealth } from '../../web/sink-health.ts';
import { migrateEventStore } from './schema.ts';
import { WorkerSinkHealth } from './worker-sink-health.ts';

/** The real output health of one file sink, as a worker builds it. */
async function fileOutputs(name: string): Promise<{ sinks: Sink[]; tracker: ReturnType<typeof buildSinkHealth> }> {
  const dataDir = tempDir(`worker-sink-health-${name}`);
  const configs = [sinkSchema.parse({ type: 'file', name, path: `${dataDir}/${name}.ndjson` })];
  const sinks = createSinks(configs, { dataDir, logger: silentLogger });
  for (const sink of sinks) await sink.open();
  return { sinks, tracker: buildSinkHealth(sinks, { configs, dataDir, registry: metricsRegistry }) };
}

describe("every worker's outputs in PostgreSQL", { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
  let server: TestPostgres;
  const sinks: Sink[] = [];
  before(async () => {
    server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url });
    await migrateEventStore(pool);
    await pool.end();
  });
  after(async () => {
    for (const sink of sinks) await sink.close();
    await server?.stop();
  });

  test("a worker sees its own outputs and the others', each named by worker; an old report is stale", async () => {
    const a = await fileOutputs('archive-a');
    const b = await fileOutputs('archive-b');
    sinks.push(...a.sinks, ...b.sinks);
    const workerA = new WorkerSinkHealth({ url: server.url, nodeId: 'a', local: a.tracker, heartbeatMs: 60_000 });
    const workerB = new WorkerSinkHealth({ url: server.url, nodeId: 'b', local: b.tracker, heartbeatMs: 60_000 });
    // Every report is older than zero milliseconds: what another worker reported is stale at once.
    const impatient = new WorkerSinkHealth({
      url: server.url,
      nodeId: 'a',
      local: a.tracker,
      heartbeatMs: 60_000,
      staleAfterMs: 0,
    });
    try {
      assert.deepEqual(
        (await workerA.sinkHealth()).map((s) => s.worker),
        ['a'],
        'before its first heartbeat a worker shows its own outputs',
      );
      await workerB.heartbeat(); // b reports
      await workerA.heartbeat(); // a reports and reads b's report
      const seenByA = await workerA.sinkHealth();
      assert.deepEqual(
        seenByA.map((s) => [s.worker, s.name, s.status]),
        [
          ['a', 'archive-a', 'ok'],
          ['b', 'archive-b', 'ok'],
        ],
      );
      assert.ok(seenByA[1]?.reportedAt, 'another worker’s output says when it was reported');
      await impatient.heartbeat();
      const stale = (await impatient.sinkHealth()).find((s) => s.worker === 'b');
      assert.equal(stale?.status, 'stale');
      assert.match(stale?.reason ?? '', /^worker b has not reported for .*; last reported ok$/);
      assert.equal((await impatient.sinkHealth()).find((s) => s.worker === 'a')?.status, 'ok', 'its own outputs are never stale');
    } finally {
      await Promise.all([workerA.close(), workerB.close(), impatient.close()]);
    }
  });

  test("when PostgreSQL cannot be read, the worker's own outputs are still shown, with one row saying the others are unknown", async () => {
    const c = await fileOutputs('archive-c');
    sinks.push(...c.sinks);
    const cut = new WorkerSinkHealth({
      url: `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
      nodeId: 'c',
      local: c.tracker,
      heartbeatMs: 60_000,
    });
    try {
      await cut.heartbeat();
      const outputs = await cut.sinkHealth();
      assert.deepEqual(
        outputs.map((s) => [s.worker, s.name, s.status]),
        [
          ['c', 'archive-c', 'ok'],
          [undefined, 'workers', 'error'],
        ],
      );
      assert.match(outputs[1]?.reason ?? '', /other workers' outputs are unknown/);
      assert.ok(outputs[1]?.lastError?.message, 'the database error is shown');
    } finally {
      await cut.close();
    }
  });
});
