import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Alert } from '../core/alert.ts';
import type { PostgresStateStore as PostgresStateStoreType } from '../state/postgres/postgres-state-store.ts';
import {
  findPostgresBin,
  POSTGRES_SKIP_REASON,
  startPostgres,
  type TestPostgres,
} from '../state/postgres/testing/postgres-server.ts';

const CHILD = fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url));
const BRUTE_FORCE = 'Brute Force Against A User Account';

/** Runs the child until it prints `until`; SIGKILLs it then when asked. Bounded by a timeout. */
function runChild(state: string, alertsFile: string, hangAt?: number): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, state, alertsFile, ...(hangAt ? [String(hangAt)] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not finish within 60 s: ${output}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (hangAt !== undefined && output.includes('uncommitted')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (hangAt !== undefined ? signal === 'SIGKILL' : code === 0) resolve(output);
      else reject(new Error(`child exited with ${code ?? signal}: ${output}`));
    });
  });
}

const committedAlerts = (file: string): Alert[] =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Alert)
    : [];

/** Kill during batch 4 (the one completing the brute force, before its commit), restart, then restart once more. */
async function crashAndResume(state: string, dir: string): Promise<Alert[]> {
  const alertsFile = join(dir, 'alerts.jsonl');
  const killed = await runChild(state, alertsFile, 4);
  assert.match(killed, /uncommitted 4 [1-9]/, 'the fourth batch raised the alert in memory before the crash');
  assert.deepEqual(committedAlerts(alertsFile), [], 'nothing committed raised an alert before the crash');
  assert.match(await runChild(state, alertsFile), /done/);
  assert.match(await runChild(state, alertsFile), /done/);
  return committedAlerts(alertsFile).filter((a) => a.title === BRUTE_FORCE);
}

/**
 * The 10th failure completes the brute force: the events of batches 1–3 came from the state committed before the
 * crash. The 11th and 12th complete it again: one alert (one id), raised three times, counted three times only,
 * although batch 4 was processed twice.
 */
function assertOneBruteForce(alerts: Alert[]): void {
  assert.equal(new Set(alerts.map((a) => a.id)).size, 1);
  assert.deepEqual(
    alerts.map((a) => [a.eventIds.length, a.count]),
    [
      [10, 1],
      [11, 2],
      [12, 3],
    ],
  );
}

describe('correlation state survives a SIGKILL', () => {
  it('SQLite: a half-built brute force resumes after the crash and alerts exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detect-crash-'));
    const alerts = await crashAndResume(join(dir, 'state.db'), dir);
    assertOneBruteForce(alerts);
  });

  describe('PostgreSQL', { skip: findPostgresBin() ? false : POSTGRES_SKIP_REASON }, () => {
    let server: TestPostgres;
    before(async () => {
      server = await startPostgres();
    });
    after(async () => {
      await server?.stop();
    });

    it('the state is committed with the checkpoint in PostgreSQL, keyed by tenant', async () => {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE crash');
      const url = server.url.replace(/\/postgres$/, '/crash');
      const dir = mkdtempSync(join(tmpdir(), 'detect-crash-pg-'));
      assertOneBruteForce(await crashAndResume(url, dir));
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      const { rows } = await db.query<{ tenant_id: string }>('SELECT DISTINCT tenant_id FROM o365_detection_state');
      assert.deepEqual(
        rows.map((r) => r.tenant_id),
        ['contoso'],
      );
      await db.end();
      await admin.end();
    });

    it('scaled out, a tenant is leased whole and its correlation state moves with it', async () => {
      const { PostgresStateStore } = await import('../state/postgres/postgres-state-store.ts');
      const { createDetector } = await import('./detector.ts');
      const { makeEvent, ruleFromYaml } = await import('./test-support/events.ts');
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE leases');
      await admin.end();
      const url = server.url.replace(/\/postgres$/, '/leases');
      const rules = [
        ruleFromYaml(
          'title: f\nid: f\nname: failed\nlogsource: {product: m365}\ndetection: {s: {Operation: UserLoginFailed}, condition: s}',
        ),
        ruleFromYaml(
          'title: i\nid: i\nname: inbox\nlogsource: {product: m365}\ndetection: {s: {Operation: New-InboxRule}, condition: s}',
        ),
        ruleFromYaml(
          'title: Failed sign-in then inbox rule\nid: chain\ncorrelation: {type: temporal_ordered, rules: [failed, inbox], group-by: [UserId], timespan: 1h}',
        ),
      ];
      const worker = async (id: string) => {
        const store = await PostgresStateStore.open(url, { workerId: id, nodeId: id, leaseTtlMs: 30_000, poolSize: 2 });
        const detector = createDetector({ rules });
        store.attachDetectionState(detector);
        return { store, detector };
      };
      const a = await worker('a');
      const b = await worker('b');
      const streams = ['T1', 'T2'].flatMap((tenantId) =>
        ['Audit.AzureActiveDirectory', 'Audit.Exchange'].map((contentType) => ({ tenantId, contentType })),
      );
      for (const k of streams) await a.store.registerStream(k, k.tenantId);
      await a.store.leases.join();
      await b.store.leases.join();
      await a.store.leases.tick();
      await b.store.leases.tick();
      const heldBy = (w: { store: PostgresStateStoreType }) =>
        w.store.leases
          .held()
          .map((l) => `${l.key.tenantId}/${l.key.contentType}`)
          .sort();
      assert.deepEqual(heldBy(a), ['T1/Audit.AzureActiveDirectory', 'T1/Audit.Exchange']);
      assert.deepEqual(heldBy(b), ['T2/Audit.AzureActiveDirectory', 'T2/Audit.Exchange']);
      for (const k of streams.filter((s) => s.tenantId === 'T1')) {
        const blob = {
          contentId: `T1-${k.contentType}`,
          contentUri: 'https://x/b',
          contentCreated: 1,
          expiration: Date.now() + 86_400_000,
        };
        await a.store.enqueueBlobs(k, [blob], 0);
      }

      const event = (operation: string) =>
        makeEvent(
          {},
          { Operation: operation, UserId: 'alice@t1.example' },
          { tenantId: 'T1', id: `T1:${operation}`, time: Date.UTC(2026, 0, 1, operation === 'New-InboxRule' ? 1 : 0) },
        );
      const commit = (w: { store: PostgresStateStoreType }, contentType: string, id: string) =>
        w.store.commitBatches([
          {
            key: { tenantId: 'T1', contentType },
            contentId: `T1-${contentType}`,
            delivered: 1,
            done: true,
            eventIds: [id],
            seenUntil: Date.now() + 86_400_000,
            eventsDelivered: 1,
            positions: {},
            contentCreated: 1,
          },
        ]);
      // Worker a sees the failed sign-in (Entra ID content) and commits it with its correlation state.
      a.detector.restore(await a.store.loadDetectionState(['T1']));
      assert.deepEqual(a.detector.process(event('UserLoginFailed')), []);
      await commit(a, 'Audit.AzureActiveDirectory', 'T1:UserLoginFailed');
      // a leaves; b takes tenant T1 whole, loads its state, and sees the inbox rule (Exchange content).
      await a.store.close();
      await b.store.leases.tick();
      assert.deepEqual(heldBy(b), streams.map((k) => `${k.tenantId}/${k.contentType}`).sort());
      b.detector.restore(await b.store.loadDetectionState(['T1']));
      const alerts = b.detector.process(event('New-InboxRule'));
      await commit(b, 'Audit.Exchange', 'T1:New-InboxRule');
      assert.deepEqual(
        alerts.map((x) => [x.ruleId, x.eventIds]),
        [['chain', ['T1:New-InboxRule', 'T1:UserLoginFailed']]],
      );
      b.detector.forgetTenant('T1');
      assert.deepEqual(b.detector.pendingState(), { upserts: [], deletes: [] }, 'forgetting writes nothing');
      await b.store.close();
    });
  });
});

describe('detection state and the checkpoint', () => {
  it('a batch that failed is rolled back: delivering it again counts nothing twice', async () => {
    const { createDetector } = await import('./detector.ts');
    const { detectionRule, makeEvent } = await import('./test-support/events.ts');
    const rule = { ...detectionRule('sel: {Operation: New-InboxRule}\ncondition: sel'), fields: ['UserId'] };
    const detector = createDetector({ rules: [rule] });
    detector.restore([]);
    const event = (n: number) =>
      makeEvent(
        {},
        { Operation: 'New-InboxRule', UserId: 'bob@contoso.com' },
        { id: `t1:${n}`, time: Date.UTC(2026, 0, 1, 0, n) },
      );
    assert.equal(detector.process(event(1))[0]!.count, 1);
    assert.equal(detector.pendingState().upserts.length, 2, 'an alert group and the tenant clock');
    detector.stateCommitted();
    assert.deepEqual(detector.pendingState(), { upserts: [], deletes: [] });
    assert.equal(detector.process(event(2))[0]!.count, 2);
    detector.rollback(); // the sink refused the batch
    const again = detector.process(event(2))[0]!;
    assert.equal(again.count, 2, 'the retried batch is counted once');
    assert.deepEqual(again.eventIds, ['t1:1', 't1:2']);
    assert.deepEqual(again.entity, { kind: 'user', value: 'bob@contoso.com' });
  });
});
