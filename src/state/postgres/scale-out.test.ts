import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { exactlyOnceProblems } from '../../collector/testing/output-file.ts';
import type { ContentType } from '../../core/content-types.ts';
import { startEmulator } from '../../emulator/emulator.ts';
import type { Emulator } from '../../emulator/types.ts';
import { findPostgresBin, POSTGRES_SKIP_REASON, startPostgres, type TestPostgres } from './testing/postgres-server.ts';
import { readOutputIds, spawnWorker, type WorkerProcess } from './testing/worker-process.ts';
import type { WorkerJob } from './testing/run-worker.ts';

const TENANTS = 50;
/** One content type per tenant keeps the run light on a loaded 2-core machine; stream sharing is the same. */
const CONTENT_TYPES: ContentType[] = ['Audit.Exchange'];
const STREAMS = TENANTS * CONTENT_TYPES.length;
const guid = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  explain?: () => Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${explain ? `: ${await explain()}` : ''}`);
    await sleep(1000);
  }
}

describe('scale-out on PostgreSQL: 3 workers, 50 tenants, one killed mid-run', {
  skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON,
}, () => {
  let server: TestPostgres;
  let emulator: Emulator;
  let dir: string;
  let db: pg.Client;
  const workers = new Map<string, WorkerProcess>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scale-out-'));
    server = await startPostgres();
    db = new pg.Client({ connectionString: server.url });
    await db.connect();
    emulator = await startEmulator({
      seed: 11,
      tenants: Array.from({ length: TENANTS }, (_, i) => ({
        tenantId: guid('aaaa', i),
        name: `tenant${i}`,
        apps: [{ clientId: guid('bbbb', i), clientSecret: `secret-${i}` }],
      })),
    });
  });
  after(async () => {
    await Promise.allSettled([...workers.values()].map((w) => w.kill()));
    await db?.end().catch(() => undefined);
    await emulator?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tenants = Array.from({ length: TENANTS }, (_, i) => ({
    name: `tenant${i}`,
    tenant_id: guid('aaaa', i),
    client_id: guid('bbbb', i),
    client_secret: `secret-${i}`,
    content_types: CONTENT_TYPES,
  }));
  const publish = (count: number, ageMs: number): void => {
    for (const t of tenants)
      emulator.generate(t.tenant_id, count, {
        contentTypes: CONTENT_TYPES,
        contentCreated: Date.now() - ageMs,
        recordsPerBlob: 10,
      });
  };
  const expected = (): string[] =>
    tenants.flatMap((t) => [...emulator.publishedIds(t.tenant_id)].map((id) => `${t.tenant_id}:${id}`));
  const outputOf = (workerId: string): string => join(dir, `${workerId}.ndjson`);
  /** What the workers wrote and committed: each file up to its node's committed position (a dead worker's tail is not delivered). */
  const committedOutputs = async (): Promise<Map<string, number>> => {
    const { rows } = await db.query<{ node_id: string; position: string }>(
      `SELECT node_id, position FROM o365_sink_positions WHERE sink = 'file'`,
    );
    const positions = new Map(rows.map((r) => [r.node_id, Number(r.position)]));
    const counts = new Map<string, number>();
    for (const id of ['w1', 'w2', 'w3']) readOutputIds(outputOf(id), counts, positions.get(`node-${id}`) ?? 0);
    return counts;
  };
  const allOutputs = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const id of ['w1', 'w2', 'w3']) readOutputIds(outputOf(id), counts);
    return counts;
  };
  const job = (workerId: string): WorkerJob => ({
    url: server.url,
    workerId,
    nodeId: `node-${workerId}`,
    output: outputOf(workerId),
    tenants: tenants.map((t) => ({ ...t, login_url: emulator.url, api_url: emulator.url })),
    collection: {
      poll_interval: '2s',
      listing_delay: 0,
      backfill: '1h',
      settle_window: '1h',
      window: '1h',
      batch_size: 5,
      concurrency: 2,
      retry_base_delay: '100ms',
      retry_max_delay: '1s',
      auth_retry_delay: '2s',
      quarantine_retry_delay: '2s',
      // A stream taken over right after its previous owner asked for the subscription waits this long before asking again.
      subscription_cooldown: '2s',
    },
    leaseTtlMs: 10_000,
    heartbeatMs: 2000,
    ca: emulator.caPem,
  });
  const owners = async (): Promise<Map<string, number>> => {
    const { rows } = await db.query<{ owner: string; n: number }>(
      `SELECT lease_owner AS owner, count(*)::int AS n FROM o365_streams WHERE lease_until > now() GROUP BY 1`,
    );
    return new Map(rows.map((r) => [r.owner, r.n]));
  };
  const waitingBlobs = async (): Promise<number> =>
    (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM o365_blobs WHERE state <> 'done'`)).rows[0]?.n ?? 0;

  /** Which ids are missing or repeated, per tenant, with that tenant's streams and blobs as the store sees them. */
  const diagnose = async (counts: Map<string, number>): Promise<string> => {
    const all = expected();
    const missing = all.filter((id) => !counts.has(id));
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id}×${n}`);
    const byTenant = new Map<string, string[]>();
    for (const id of missing) {
      const [tenant, record] = id.split(':') as [string, string];
      byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), record]);
    }
    const tenantIds = [...byTenant.keys()].slice(0, 5);
    const { rows: streams } = await db.query(
      `SELECT s.tenant_name, s.content_type, s.lease_owner, s.lease_version, s.lease_until > now() AS leased, s.subscription_enabled,
              (extract(epoch from now()) * 1000)::bigint - s.listed_through AS listed_ago_ms,
              (extract(epoch from now()) * 1000)::bigint - s.last_poll_at AS polled_ago_ms, s.events_total, s.last_error_message
       FROM o365_streams s WHERE s.tenant_id = ANY($1::text[])`,
      [tenantIds],
    );
    const { rows: blobs } = await db.query(
      `SELECT tenant_id, content_id, state, delivered, attempts, last_error FROM o365_blobs WHERE tenant_id = ANY($1::text[]) ORDER BY tenant_id, content_created`,
      [tenantIds],
    );
    const { rows: pending } = await db.query(
      `SELECT state, count(*)::int AS n, max(last_error) AS error FROM o365_blobs WHERE state <> 'done' GROUP BY 1`,
    );
    return [
      `${missing.length} of ${all.length} missing in ${byTenant.size} tenants; ${repeated.length} repeated (${repeated.slice(0, 5).join(', ')})`,
      ...tenantIds.map((t) => `  ${t}: missing ${byTenant.get(t)!.join(', ')}`),
      `  streams: ${JSON.stringify(streams)}`,
      `  blobs: ${JSON.stringify(blobs)}`,
      `  blobs not done (all tenants): ${JSON.stringify(pending)}`,
    ].join('\n');
  };
  /** Every published event committed, and nothing left in the queue. */
  const settled = async (counts: () => Map<string, number> | Promise<Map<string, number>>): Promise<boolean> => {
    const seen = await counts();
    return expected().every((id) => seen.has(id)) && (await waitingBlobs()) === 0;
  };

  test('every event exactly once, and the dead worker’s tenants keep being collected', async () => {
    publish(20, 40 * 60_000);
    const started = await Promise.all(['w1', 'w2', 'w3'].map((id) => spawnWorker(dir, job(id), 150_000)));
    for (const w of started) workers.set(w.job.workerId, w);

    await waitFor(
      'the streams to be shared by the 3 workers',
      async () => {
        const o = await owners();
        return o.size === 3 && [...o.values()].reduce((a, b) => a + b, 0) === STREAMS;
      },
      120_000,
      async () => JSON.stringify([...(await owners())]),
    );
    await waitFor(
      'w2 to commit some events',
      async () => {
        const { rows } = await db.query<{ n: number }>(
          `SELECT coalesce(sum(events_total), 0)::int AS n FROM o365_streams WHERE lease_owner = 'w2'`,
        );
        return (rows[0]?.n ?? 0) > 0;
      },
      120_000,
    );

    await workers.get('w2')!.kill(); // like a machine dying: no clean release, leases must expire
    workers.delete('w2');
    publish(6, 5 * 60_000); // more events for every tenant, including those w2 was collecting

    await waitFor(
      'w1 and w3 to take over every stream',
      async () => {
        const o = await owners();
        return !o.has('w2') && (o.get('w1') ?? 0) + (o.get('w3') ?? 0) === STREAMS;
      },
      90_000,
      async () => JSON.stringify([...(await owners())]),
    );
    await waitFor(
      'every event committed by w1, w3 or w2 before it died',
      () => settled(committedOutputs),
      240_000,
      async () => diagnose(await committedOutputs()),
    );

    // The machine comes back: its file sink discards what it wrote after its last committed batch.
    const restarted = await spawnWorker(dir, job('w2'), 150_000);
    workers.set('w2', restarted);
    await waitFor('the restarted worker to get its share again', async () => ((await owners()).get('w2') ?? 0) > 0, 90_000);
    await waitFor(
      'every event in the outputs after the restart',
      () => settled(allOutputs),
      120_000,
      () => diagnose(allOutputs()),
    );

    for (const [id, w] of workers) assert.equal(await w.stop(), 0, `${id} stops cleanly`);
    workers.clear();
    const problems = exactlyOnceProblems(allOutputs(), expected());
    assert.deepEqual(problems, [], problems.length > 0 ? await diagnose(allOutputs()) : '');
    assert.equal(expected().length, TENANTS * 26);
  });
});
