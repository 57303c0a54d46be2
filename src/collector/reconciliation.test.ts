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

test('reconciliation sweep: re-lists the 7 days, queues what listing missed, reports undelivered blobs and unlisted windows', async () => {
  const emulator = await startEmulator({ seed: 21, tenants: emulatorTenants().slice(0, 1), pageSize: 2 });
  const dir = tempDir();
  const started = Date.now();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile, [{ content_types: ['Audit.Exchange'] }]).slice(0, 1),
    collection: { backfill: '3d' },
  });
  const web = await startTestServer({ health: run.state });
  const key = { tenantId: tenant.tenantId, contentType: 'Audit.Exchange' };
  const exchange = async () => (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.Exchange');
  const counts = (r: { missing: number; undelivered: number; unlistedWindows: number } | undefined) =>
    r && { missing: r.missing, undelivered: r.undelivered, unlistedWindows: r.unlistedWindows };
  const published = (contentCreated?: number, records = 10) =>
    emulator.generate(tenant.tenantId, records, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      ...(contentCreated === undefined ? {} : { contentCreated }),
    });
  try {
    const now = Date.now();
    published(now - 2 * 60 * MIN, 20);
    published(now - 10 * MIN, 20);
    await settle();
    await runUntilIdle(run);
    const listedBy = Date.now();
    const origin = (await run.state.getStream(key)).listedFrom;
    // The first poll happens somewhere between the run's start and the end of runUntilIdle (later on a loaded machine).
    assert.ok(
      origin !== undefined && origin <= listedBy - 3 * DAY && origin >= started - 3 * DAY - 60 * MIN,
      `listing began at the backfill (origin ${origin}, run ${started}..${listedBy})`,
    );

    // Nothing missing: a few requests (24-hour windows since the origin), a clean report.
    const before = emulator.stats().requests.content ?? 0;
    const [clean] = await run.collector.reconcile();
    const requests = (emulator.stats().requests.content ?? 0) - before;
    assert.ok(requests <= 6, `cheap: ${requests} listing requests`);
    assert.deepEqual(
      clean?.reports.map((r) => ({ listed: r.listed, ...counts(r) })),
      [{ listed: 4, missing: 0, undelivered: 0, unlistedWindows: 0 }],
    );
    assert.equal(await gauge('o365_intake_reconcile_missing_blobs'), 0);

    // Published now with old contentCreated, beyond the settle window (normal listing never goes back there):
    // one blob before the origin (the sweep respects the backfill), four 2 days back in a window whose NextPageUri
    // is broken; and a blob quarantined (redirected away from the API host).
    published(origin - 2 * 60 * MIN);
    const dayStart = Math.floor((now - 2 * DAY) / DAY) * DAY;
    for (let i = 0; i < 4; i += 1) published(dayStart + 60 * MIN + i * 1000);
    emulator.setChaos({ blobRedirect: 1, badNextPageBefore: dayStart + 1000 });
    published();
    await settle();
    await run.collector.runOnce();
    assert.equal((await exchange())?.quarantinedBlobs, 1);
    emulator.setChaos({ blobRedirect: 0 });

    const [found] = await run.collector.reconcile();
    const report = found?.reports[0];
    assert.ok(report);
    assert.deepEqual(counts(report), { missing: 2, undelivered: 1, unlistedWindows: 1 }, report.examples.join('\n'));
    assert.equal(report.listed, 7, '4 delivered, 1 quarantined, the first page of the broken window');
    assert.ok(
      report.examples.some((e) => /: quarantined \(.*redirected/.test(e)),
      report.examples.join('\n'),
    );
    assert.ok(report.examples.some((e) => /missed by listing, queued now/.test(e)));
    assert.ok(report.examples.some((e) => /^window .* not listed: AF20031/.test(e)));
    assert.equal(await gauge('o365_intake_reconcile_missing_blobs'), 2);
    assert.equal(await gauge('o365_intake_reconcile_undelivered_blobs'), 1);
    assert.equal(await gauge('o365_intake_reconcile_unlisted_windows'), 1);

    // The health API and page carry the report.
    const auth = { authorization: `Bearer ${web.server.token}` };
    const api = (await (await fetch(new URL('/api/health', web.url), { headers: auth })).json()) as {
      rows: { contentType: string; reconciliation?: { missing: number; undelivered: number; unlistedWindows: number } }[];
    };
    assert.deepEqual(counts(api.rows.find((r) => r.contentType === 'Audit.Exchange')?.reconciliation), {
      missing: 2,
      undelivered: 1,
      unlistedWindows: 1,
    });
    const page = await (await fetch(new URL('/health', web.url), { headers: auth })).text();
    assert.match(page, /Reconciliation [^<]*: 7 listed, 2 missed by listing, 1 not delivered, 1 window\(s\) not listed/);

    // Once the window lists and the blobs are fetched, everything since the origin arrives once; the next sweep is clean.
    emulator.setChaos({ badNextPageBefore: 0 });
    await runUntilIdle(run);
    const [recovering] = await run.collector.reconcile();
    assert.deepEqual(counts(recovering?.reports[0]), { missing: 2, undelivered: 0, unlistedWindows: 0 });
    await runUntilIdle(run);
    const [last] = await run.collector.reconcile();
    assert.deepEqual(
      last?.reports.map((r) => ({ listed: r.listed, ...counts(r) })),
      [{ listed: 9, missing: 0, undelivered: 0, unlistedWindows: 0 }],
    );
    const out = countOutputIds(run.output);
    const all = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.equal(all.length - out.size, 10, 'the blob before the origin is not collected');
    assert.deepEqual(
      exactlyOnceProblems(
        out,
        all.filter((id) => out.has(id)),
      ),
      [],
    );
    assert.equal(out.size, 90);
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
