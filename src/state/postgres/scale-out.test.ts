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
const CONTENT_TYPES: ContentType[] = ['Audit.Exchange', 'Audit.SharePoint'];
const guid = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, explain?: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain ? `: ${await explain()}` : ''}`);
    await sleep(1000);
  }
}

describe('scale-out on PostgreSQL: 3 workers, 50 tenants, one killed mid-run', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
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
    for (const t of tenants) emulator.generate(t.tenant_id, count, { contentTypes: CONTENT_TYPES, contentCreated: Date.now() - ageMs, recordsPerBlob: 20 });
  };
  const expected = (): string[] => tenants.flatMap((t) => [...emulator.publishedIds(t.tenant_id)].map((id) => `${t.tenant_id}:${id}`));
  const outputs = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const id of ['w1', 'w2', 'w3']) readOutputIds(join(dir, `${id}.ndjson`), counts);
    return counts;
  };
  const job = (workerId: string): WorkerJob => ({
    url: server.url,
    workerId,
    nodeId: `node-${workerId}`,
    output: join(dir, `${workerId}.ndjson`),
    tenants: tenants.map((t) => ({ ...t, login_url: emulator.url, api_url: emulator.url })),
    collection: {
      poll_interval: '4s',
      listing_delay: 0,
      backfill: '1h',
      settle_window: '1h',
      window: '1h',
      batch_size: 10,
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

  test('every event exactly once, and the dead worker’s tenants keep being collected', async () => {
    publish(20, 40 * 60_000);
    const started = await Promise.all(['w1', 'w2', 'w3'].map((id) => spawnWorker(dir, job(id), 150_000)));
    for (const w of started) workers.set(w.job.workerId, w);

    await waitFor('the streams to be shared by the 3 workers', async () => {
      const o = await owners();
      return o.size === 3 && [...o.values()].reduce((a, b) => a + b, 0) === TENANTS * CONTENT_TYPES.length;
    }, 90_000, async () => JSON.stringify([...(await owners())]));
    const w2Output = join(dir, 'w2.ndjson');
    await waitFor('w2 to commit some events', async () => {
      const { rows } = await db.query(`SELECT 1 FROM o365_sink_positions WHERE node_id = 'node-w2'`);
      return rows.length > 0 && readOutputIds(w2Output).size > 0;
    }, 60_000);

    await workers.get('w2')!.kill(); // like a machine dying: no clean release, leases must expire
    workers.delete('w2');
    publish(6, 5 * 60_000); // more events for every tenant, including those w2 was collecting

    await waitFor('w1 and w3 to take over every stream', async () => {
      const o = await owners();
      return !o.has('w2') && (o.get('w1') ?? 0) + (o.get('w3') ?? 0) === TENANTS * CONTENT_TYPES.length;
    }, 60_000);
    const all = expected();
    const explain = async (): Promise<string> => {
      const seen = outputs();
      const missing = all.filter((id) => !seen.has(id));
      const { rows } = await db.query(
        `SELECT s.lease_owner, b.state, count(*)::int AS blobs, max(b.attempts) AS attempts, max(b.last_error) AS error
         FROM o365_blobs b JOIN o365_streams s USING (tenant_id, content_type) WHERE b.state <> 'done' GROUP BY 1, 2`,
      );
      const tenantsMissing = [...new Set(missing.map((id) => id.split(':')[0]!))];
      const { rows: streams } = await db.query(
        `SELECT s.tenant_id, s.content_type, s.lease_owner, s.lease_until > now() AS leased,
                (extract(epoch from now()) * 1000)::bigint - s.listed_through AS listed_ago_ms,
                (extract(epoch from now()) * 1000)::bigint - s.last_poll_at AS polled_ago_ms, s.last_error_message,
                (SELECT count(*)::int FROM o365_blobs b WHERE b.tenant_id = s.tenant_id AND b.content_type = s.content_type) AS blobs
         FROM o365_streams s WHERE s.tenant_id = ANY($1::text[])`,
        [tenantsMissing],
      );
      return `${missing.length} of ${all.length} missing in ${tenantsMissing.length} tenants; blobs not done: ${JSON.stringify(rows)}; streams: ${JSON.stringify(streams)}`;
    };
    await waitFor('every event to be written', () => all.every((id) => outputs().has(id)), 240_000, explain);

    // The machine comes back: its file sink discards what it wrote after its last committed batch.
    const restarted = await spawnWorker(dir, job('w2'), 150_000);
    workers.set('w2', restarted);
    await waitFor('the restarted worker to get its share again', async () => ((await owners()).get('w2') ?? 0) > 0, 60_000);

    for (const [id, w] of workers) assert.equal(await w.stop(), 0, `${id} stops cleanly`);
    workers.clear();
    assert.deepEqual(exactlyOnceProblems(outputs(), all), []);
    assert.equal(all.length, TENANTS * 26);
  });
});
