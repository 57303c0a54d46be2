import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmulator } from '../../emulator/emulator.ts';
import type { Emulator } from '../../emulator/types.ts';
import {
  findPostgresBin,
  freePort,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../../state/postgres/testing/postgres-server.ts';

const MAIN = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const TOKEN = 'scaled-out-page-test-token-0123456789abcdef';
const guid = (prefix: string, i: number): string => `${prefix}${String(i).padStart(4, '0')}-0000-4000-8000-000000000000`;
const TENANTS = ['contoso', 'fabrikam'].map((name, i) => ({
  name,
  tenant_id: guid('cccc', i),
  client_id: guid('dddd', i),
  client_secret: `secret-${i}`,
}));

interface Worker {
  child: ChildProcess;
  output: string;
  base: string;
}

const workers: Worker[] = [];

async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
  explain: () => string | Promise<string>,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${await explain()}`);
    if (workers.some((w) => w.child.exitCode !== null)) throw new Error(`a worker stopped: ${await explain()}`);
    await sleep(1000);
  }
}

describe('scaled out: two worker processes share PostgreSQL; the page of either shows every tenant', {
  skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON,
  timeout: 240_000,
}, () => {
  let server: TestPostgres;
  let emulator: Emulator;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scaled-out-page-'));
    server = await startPostgres();
    emulator = await startEmulator({
      seed: 5,
      tenants: TENANTS.map((t) => ({
        tenantId: t.tenant_id,
        name: t.name,
        apps: [{ clientId: t.client_id, clientSecret: t.client_secret }],
      })),
      // Two hours of history (60 events a minute, one attack scenario an hour) and no live feed: the counts stay put.
      backfillMs: 2 * 60 * 60_000,
    });
    const caFile = join(dir, 'emulator-ca.pem');
    writeFileSync(caFile, emulator.caPem);
    // Both workers are configured with both tenants; the leases share them out (a tenant is leased whole).
    // The second worker also sends to a SIEM that is down (a loopback port nobody listens on): its spool keeps the
    // events and the output is in error, on either worker's page.
    const downPort = await freePort();
    for (const i of [0, 1]) {
      const home = join(dir, `w${i}`);
      mkdirSync(home);
      const port = await freePort();
      const siem = {
        type: 'http',
        name: 'siem',
        url: `http://127.0.0.1:${downPort}/ingest`,
        retry: { max_attempts: 1, initial_backoff: '100ms', max_backoff: '1s' },
      };
      const config = {
        state: server.url,
        data_dir: home,
        // Heartbeats every 2 s: a worker that stops reporting its outputs is stale after 6 s.
        scale_out: { node_id: `node-${i}`, heartbeat: '2s' },
        tenants: TENANTS.map((t) => ({ ...t, login_url: emulator.url, api_url: emulator.url })),
        collection: { poll_interval: '2s', listing_delay: '0s', backfill: '3h', window: '1h', settle_window: '1h' },
        sinks: [{ type: 'file', name: 'archive', path: join(home, 'out.ndjson') }, ...(i === 1 ? [siem] : [])],
        web: { port, auth_token: TOKEN },
      };
      const configFile = join(home, 'config.yaml');
      writeFileSync(configFile, JSON.stringify(config));
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--i-know', '-c', configFile, 'run'], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const worker: Worker = { child, output: '', base: `http://127.0.0.1:${port}` };
      child.stdout!.on('data', (chunk: Buffer) => (worker.output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (worker.output += chunk.toString()));
      workers.push(worker);
    }
  });

  after(async () => {
    for (const w of workers) {
      if (w.child.exitCode !== null || w.child.signalCode !== null) continue;
      const exited = new Promise((resolve) => w.child.once('exit', resolve));
      w.child.kill('SIGTERM');
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await emulator?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T>(worker: Worker, path: string): Promise<T> => {
    const response = await fetch(`${worker.base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  };
  const explain = () => workers.map((w, i) => `worker ${i}: ${w.output.slice(-1500)}`).join('\n');

  test("one worker's API shows both tenants' events, alerts and collection health", async () => {
    const published = TENANTS.map((t) => emulator.publishedIds(t.tenant_id).size);
    assert.ok(
      published.every((n) => n > 0),
      'the emulator published history for both tenants',
    );
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    const owners = async () =>
      (
        await db.query<{ tenant: string; owner: string }>(
          `SELECT DISTINCT tenant_name AS tenant, split_part(lease_owner, ':', 1) AS owner FROM o365_streams
           WHERE lease_until > now()`,
        )
      ).rows;
    try {
      await waitFor(
        'each worker to hold one tenant',
        async () => new Set((await owners()).map((o) => o.owner)).size === 2,
        90_000,
        async () => JSON.stringify(await owners()),
      );
    } finally {
      await db.end();
    }
    const [first] = workers as [Worker, Worker];
    const seen: unknown[] = [];
    const totalOf = async (i: number) => {
      try {
        seen[i] = (await api<{ total: number }>(first, `/api/events?tenant=${TENANTS[i]!.name}&limit=1`)).total;
      } catch (err) {
        seen[i] = (err as Error).message;
      }
      return seen[i];
    };
    await waitFor(
      'every published event on the first worker’s page',
      async () => (await totalOf(0)) === published[0] && (await totalOf(1)) === published[1],
      150_000,
      async () => {
        const db = new pg.Client({ connectionString: server.url });
        await db.connect();
        const streams = await db.query(
          'SELECT tenant_name, content_type, lease_owner, events_total, last_error_message FROM o365_streams',
        );
        const stored = await db.query('SELECT tenant_name, count(*)::int AS n FROM o365_events GROUP BY 1');
        await db.end();
        return `published ${published}, shown ${seen}; streams ${JSON.stringify(streams.rows)}; stored ${JSON.stringify(stored.rows)}; ${explain()}`;
      },
    );
    const top = await api<{ values: { value: string; count: number }[] }>(first, '/api/top?field=tenant');
    assert.deepEqual(top.values.map((v) => [v.value, v.count]).sort(), [
      ['contoso', published[0]],
      ['fabrikam', published[1]],
    ]);
    // The other worker's page answers the same.
    const second = workers[1]!;
    assert.equal((await api<{ total: number }>(second, '/api/events?limit=1')).total, published[0]! + published[1]!);
    const fabrikamEvent = (await api<{ events: { id: string }[] }>(first, '/api/events?tenant=fabrikam&limit=1')).events[0];
    assert.ok(fabrikamEvent);
    const detail = await api<{ raw: { Id: string } }>(first, `/api/events/${encodeURIComponent(fabrikamEvent.id)}`);
    assert.ok(fabrikamEvent.id.endsWith(detail.raw.Id), 'the other worker’s event opens with its raw record');

    await waitFor(
      'alerts of both tenants',
      async () => {
        const { alerts } = await api<{ alerts: { tenantName?: string }[] }>(first, '/api/alerts?limit=500');
        return new Set(alerts.map((a) => a.tenantName)).size === 2;
      },
      60_000,
      explain,
    );

    // The export streams every event of both workers, documents included.
    const exported = await fetch(`${first.base}/api/events/export?format=ndjson&range=all`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const lines = (await exported.text()).split('\n').filter(Boolean);
    assert.equal(lines.length, published[0]! + published[1]!);
    assert.deepEqual(
      new Set(lines.map((l) => (JSON.parse(l) as { tenantName: string }).tenantName)),
      new Set(['contoso', 'fabrikam']),
    );
    // A mistake in the query is the user's (400 with its position), never the server's.
    for (const q of ['user.name:(', '@timestamp >= soon', 'x:[1 TO', '"open', `user.name:"a\u0000b"`]) {
      const response = await fetch(`${first.base}/api/events?q=${encodeURIComponent(q)}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      assert.ok(response.status === 400 || response.status === 200, `${q}: HTTP ${response.status}`);
    }

    const health = await api<{ rows: { tenantName: string; status: string; storedEvents: number }[] }>(first, '/api/health');
    const tenants = new Set(health.rows.map((r) => r.tenantName));
    assert.deepEqual(tenants, new Set(['contoso', 'fabrikam']), 'collection health of every worker’s tenants');
    for (const name of tenants) {
      const rows = health.rows.filter((r) => r.tenantName === name);
      assert.ok(
        rows.some((r) => r.status === 'ok'),
        `${name}: ${JSON.stringify(rows)}`,
      );
      assert.equal(
        rows.reduce((n, r) => n + r.storedEvents, 0),
        published[TENANTS.findIndex((t) => t.name === name)],
        `${name}: stored events counted`,
      );
    }
  });

  test("an output failing on one worker is shown in error on the other worker's page, and stale once that worker is gone", async () => {
    const [first, second] = workers as [Worker, Worker];
    type Output = { worker?: string; name: string; status: string; reason?: string; reportedAt?: number };
    let sinks: Output[] = [];
    const outputs = async () => (sinks = (await api<{ sinks: Output[] }>(first, '/api/health')).sinks);
    const find = (worker: string, name: string) => sinks.find((s) => s.worker === worker && s.name === name);
    await waitFor(
      "the second worker's down SIEM in error on the first worker's page",
      async () => {
        await outputs();
        return find('node-1', 'siem')?.status === 'error' && find('node-1', 'archive')?.status === 'ok';
      },
      60_000,
      () => `outputs ${JSON.stringify(sinks)}; ${explain()}`,
    );
    assert.equal(find('node-0', 'archive')?.status, 'ok', JSON.stringify(sinks));
    assert.equal(find('node-0', 'siem'), undefined, 'the first worker has no SIEM output');
    assert.match(find('node-1', 'siem')?.reason ?? '', /delivery failing/);
    assert.ok(find('node-1', 'siem')?.reportedAt, 'another worker’s output says when it was reported');

    const page = await fetch(`${first.base}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const body = await page.text();
    const siemRow = body.split('<tr').find((row) => row.includes('>node-1<') && row.includes('>siem<'));
    assert.ok(siemRow, 'the health page has a row for the SIEM of node-1');
    assert.match(siemRow, /status-error/);
    const healthz = (await (await fetch(`${first.base}/healthz`)).json()) as { status: string; outputs: Output[] };
    assert.equal(healthz.status, 'degraded');
    assert.equal(healthz.outputs.find((o) => o.worker === 'node-1' && o.name === 'siem')?.status, 'error');

    // The second worker dies without a word: its last report stays, shown as stale (not ok) once it is too old.
    const exited = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGKILL');
    await exited;
    await waitFor(
      "the dead worker's outputs shown as stale",
      async () => {
        await outputs();
        return find('node-1', 'siem')?.status === 'stale' && find('node-1', 'archive')?.status === 'stale';
      },
      60_000,
      // (A worker killed by a signal has no exit code: waitFor still watches the first one only.)
      () => `outputs ${JSON.stringify(sinks)}; ${first.output.slice(-1500)}`,
    );
    assert.match(find('node-1', 'siem')?.reason ?? '', /node-1 has not reported for .*last reported error: delivery failing/);
    assert.equal(find('node-0', 'archive')?.status, 'ok', 'the live worker’s own output stays ok');
  });
});
