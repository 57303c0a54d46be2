import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { startEmulator } from '../emulator/index.ts';
import { metricsRegistry } from '../observability/metrics.ts';
import { startTestServer } from '../web/testing/test-server.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import { TENANTS, emulatorTenants, inProcess, runUntilIdle, tempDir, tenantEntries } from './testing/harness.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const tenant = TENANTS[0];
const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

async function gauge(name: string): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => v.labels.tenant === 'contoso' && v.labels.content_type === 'Audit.Exchange')?.value;
}

test('reconciliation sweep: re-lists 7 days, queues what listing missed, reports undelivered blobs and unlisted windows', async () => {
  const emulator = await startEmulator({ seed: 21, tenants: emulatorTenants().slice(0, 1), pageSize: 2 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile, [{ content_types: ['Audit.Exchange'] }]).slice(0, 1),
  });
  const web = await startTestServer({ health: run.state });
  const exchange = async () => (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.Exchange');
  try {
    const now = Date.now();
    emulator.generate(tenant.tenantId, 20, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      contentCreated: now - 2 * 60 * MIN,
    });
    emulator.generate(tenant.tenantId, 20, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      contentCreated: now - 10 * MIN,
    });
    await settle();
    await runUntilIdle(run);

    // Nothing missing: one request per 24-hour window over the 7 days, a clean report.
    const before = emulator.stats().requests.content ?? 0;
    const [clean] = await run.collector.reconcile();
    const requests = (emulator.stats().requests.content ?? 0) - before;
    assert.ok(requests <= 10, `cheap: ${requests} listing requests`);
    assert.deepEqual(
      clean?.reports.map(({ listed, missing, undelivered, unlistedWindows }) => ({
        listed,
        missing,
        undelivered,
        unlistedWindows,
      })),
      [{ listed: 4, missing: 0, undelivered: 0, unlistedWindows: 0 }],
    );
    assert.equal(await gauge('o365_intake_reconcile_missing_blobs'), 0);

    // A late blob beyond the settle window (normal listing never goes back there), a quarantined blob,
    // and a window the API cannot list (bad NextPageUri 6 days back).
    emulator.generate(tenant.tenantId, 10, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      contentCreated: now - 2 * DAY,
    });
    emulator.generate(tenant.tenantId, 30, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      contentCreated: now - 6 * DAY,
    });
    emulator.setChaos({ blobRedirect: 1, badNextPageBefore: now - 5 * DAY });
    emulator.generate(tenant.tenantId, 10, { contentTypes: ['Audit.Exchange'], recordsPerBlob: 10 });
    await settle();
    await run.collector.runOnce();
    assert.equal((await exchange())?.quarantinedBlobs, 1);
    emulator.setChaos({ blobRedirect: 0 });

    const [found] = await run.collector.reconcile();
    const report = found?.reports[0];
    assert.ok(report);
    assert.equal(report.missing, 3, 'the late blob, and the first page of the window that fails, are queued');
    assert.equal(report.undelivered, 1, 'the quarantined blob');
    assert.equal(report.unlistedWindows, 1);
    assert.ok(
      report.examples.some((e) => /: quarantined \(.*redirected/.test(e)),
      report.examples.join('\n'),
    );
    assert.ok(report.examples.some((e) => /missed by listing, queued now/.test(e)));
    assert.ok(report.examples.some((e) => /^window .* not listed: AF20031/.test(e)));
    assert.equal(await gauge('o365_intake_reconcile_missing_blobs'), 3);
    assert.equal(await gauge('o365_intake_reconcile_undelivered_blobs'), 1);
    assert.equal(await gauge('o365_intake_reconcile_unlisted_windows'), 1);

    // The health API and page carry the report.
    const auth = { authorization: `Bearer ${web.server.token}` };
    const api = (await (await fetch(new URL('/api/health', web.url), { headers: auth })).json()) as {
      rows: { contentType: string; reconciliation?: { missing: number; undelivered: number; unlistedWindows: number } }[];
    };
    assert.deepEqual(
      api.rows.find((r) => r.contentType === 'Audit.Exchange')?.reconciliation &&
        (({ missing, undelivered, unlistedWindows }) => ({ missing, undelivered, unlistedWindows }))(
          api.rows.find((r) => r.contentType === 'Audit.Exchange')!.reconciliation!,
        ),
      { missing: 3, undelivered: 1, unlistedWindows: 1 },
    );
    const page = await (await fetch(new URL('/health', web.url), { headers: auth })).text();
    assert.match(page, /Reconciliation [^<]*: 8 listed, 3 missed by listing, 1 not delivered, 1 window\(s\) not listed/);

    // Once the window lists and the blobs are fetched, everything arrives once and the next sweep is clean.
    emulator.setChaos({ badNextPageBefore: 0 });
    await runUntilIdle(run);
    const [recovering] = await run.collector.reconcile();
    assert.equal(recovering?.reports[0]?.missing, 1, 'the rest of the window that failed');
    await runUntilIdle(run);
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
    const [last] = await run.collector.reconcile();
    assert.deepEqual(
      last?.reports.map(({ missing, undelivered, unlistedWindows }) => ({ missing, undelivered, unlistedWindows })),
      [{ missing: 0, undelivered: 0, unlistedWindows: 0 }],
    );
    assert.equal((await exchange())?.reconciliation?.listed, 9);
  } finally {
    await web.close();
    await run.close();
    await emulator.stop();
  }
});

test('reconcile_interval is validated: 0 turns the sweep off, otherwise between 1m and 7d', () => {
  const tenants = [{ name: 't', tenant_id: tenant.tenantId, client_id: tenant.clientId, client_secret: 'x-secret-value' }];
  assert.equal(parseConfig({ tenants }).collection.reconcile_interval, 3_600_000, 'hourly by default');
  assert.equal(parseConfig({ tenants, collection: { reconcile_interval: 0 } }).collection.reconcile_interval, 0);
  assert.throws(
    () => parseConfig({ tenants, collection: { reconcile_interval: '10s' } }),
    /reconcile_interval.*between 1m and 7d/s,
  );
});
