import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../config/load.ts';
import { startEmulator, type ChaosOptions } from '../emulator/index.ts';
import { createLogger, silentLogger } from '../observability/logger.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import { FileSink } from '../sinks/file.ts';
import { KindFilterSink } from '../sinks/kind-filter.ts';
import { SqliteStateStore } from '../state/sqlite-state-store.ts';
import { createCollector } from './collector.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import { FAST_COLLECTION, TENANTS, emulatorTenants, inProcess, runUntilIdle, tempDir, tenantEntries } from './testing/harness.ts';

const MIN = 60_000;
const tenant = TENANTS[0];
const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

function captureLog() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { logger: createLogger('info', stream), lines };
}

async function setup(seed: number, chaos: Partial<ChaosOptions>, pageSize = 50, contentType = 'Audit.Exchange') {
  const emulator = await startEmulator({ seed, tenants: emulatorTenants().slice(0, 1), pageSize, chaos });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const log = captureLog();
  const run = await inProcess(
    dir,
    { tenants: tenantEntries(emulator, caFile, [{ content_types: [contentType] }]).slice(0, 1) },
    log.logger,
  );
  const expected = () => [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
  const health = async () => (await run.state.streamHealth()).find((h) => h.contentType === contentType);
  return { emulator, run, log, expected, health, dir, caFile };
}

test('a blob redirected away from the API host is quarantined with the reason, the token never follows; to the API host it is followed', async () => {
  const { emulator, run, log, expected, health } = await setup(11, { blobRedirect: 1, blobRedirectTarget: 'foreign-host' });
  try {
    emulator.generate(tenant.tenantId, 40, { contentTypes: ['Audit.Exchange'], recordsPerBlob: 10 });
    await settle();
    await run.collector.runOnce();
    const h = await health();
    assert.equal(h?.quarantinedBlobs, 4, 'every redirected blob is quarantined, none is "done" with 0 records');
    assert.equal(h?.status, 'degraded');
    assert.match(h?.quarantineReason ?? '', /redirected \(HTTP 302\) to https:\/\/localhost:\d+\/api\/v1\.0\/.*not the API host/);
    assert.equal(countOutputIds(run.output).size, 0);
    assert.equal(emulator.stats().requests.foreignHost, undefined, 'no request reached the foreign host');
    const quarantined = log.lines.filter((l) => l.msg === 'blob quarantined: it will be retried at low priority');
    assert.equal(quarantined.length, 4);
    assert.match(String(quarantined[0]?.err), /REDIRECT|redirected/);

    // The same redirect to the configured API host is followed with the token: the blobs arrive, once.
    emulator.setChaos({ blobRedirectTarget: 'api-host' });
    await runUntilIdle(run);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected()), []);
    assert.ok((emulator.stats().injected.redirectApiHost ?? 0) >= 4);
    assert.equal(emulator.stats().requests.foreignHost, undefined);
    assert.equal((await health())?.quarantinedBlobs, 0);
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('a listing window with a bad NextPageUri does not hold back newer windows, and is retried until its content arrives', async () => {
  const now = Date.now();
  const { emulator, run, log, expected, health } = await setup(12, { badNextPageBefore: now - 2 * 60 * MIN }, 2, 'Audit.General');
  try {
    emulator.generate(tenant.tenantId, 15, {
      contentTypes: ['Audit.General'],
      recordsPerBlob: 3,
      contentCreated: now - 210 * MIN,
    });
    const old = new Set(expected());
    emulator.generate(tenant.tenantId, 15, {
      contentTypes: ['Audit.General'],
      recordsPerBlob: 3,
      contentCreated: now - 10 * MIN,
    });
    await settle();
    const newer = () => expected().filter((id) => !old.has(id));
    for (let round = 0; round < 3; round += 1) {
      for (let i = 0; i < 3; i += 1) {
        await run.collector.runOnce();
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      const out = countOutputIds(run.output);
      const newOut = new Map([...out].filter(([id]) => !old.has(id)));
      assert.deepEqual(exactlyOnceProblems(newOut, newer()), [], `round ${round}: all newer content delivered, once`);
      // The old window's first page was queued before its NextPageUri failed; the rest is still missing.
      const oldDelivered = [...out].filter(([id]) => old.has(id));
      assert.ok(oldDelivered.length < old.size && oldDelivered.every(([, n]) => n === 1), `round ${round}`);
      const h = await health();
      assert.equal(h?.failedWindows?.count, 1);
      assert.match(h?.failedWindows?.error ?? '', /AF20031/);
      assert.equal(h?.status, 'degraded');
      // More new content keeps flowing while the old window fails.
      emulator.generate(tenant.tenantId, 6, { contentTypes: ['Audit.General'], recordsPerBlob: 3 });
      await settle();
    }
    assert.ok((emulator.stats().injected.badNextPage ?? 0) >= 3, 'the failed window was retried');
    assert.ok(log.lines.some((l) => l.msg === 'listing window failed; newer windows go on, this one is retried'));

    emulator.setChaos({ badNextPageBefore: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await runUntilIdle(run);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected()), []);
    const h = await health();
    assert.equal(h?.failedWindows, undefined);
    assert.equal(h?.status, 'ok');
    assert.ok(log.lines.some((l) => l.msg === 'listing window listed after failing'));
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('listing entries: no contentExpiration → queued (7 days assumed); no contentUri → skipped with the reason, the page kept', async () => {
  const { emulator, run, log, expected, health } = await setup(13, { listingWithoutExpiration: 1 }, 50, 'Audit.SharePoint');
  try {
    emulator.generate(tenant.tenantId, 30, { contentTypes: ['Audit.SharePoint'], recordsPerBlob: 10 });
    await settle();
    await runUntilIdle(run);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected()), []);
    assert.ok((emulator.stats().injected.listingWithoutExpiration ?? 0) >= 3);

    emulator.setChaos({ listingWithoutExpiration: 0, listingWithoutContentUri: 0.5 });
    emulator.generate(tenant.tenantId, 100, { contentTypes: ['Audit.SharePoint'], recordsPerBlob: 10 });
    await settle();
    await run.collector.runOnce();
    const skipped = log.lines.filter((l) => l.msg === 'listing entry skipped: it cannot be fetched');
    assert.ok(skipped.length > 0);
    assert.equal(skipped[0]?.reason, 'no valid contentUri');
    assert.equal(typeof skipped[0]?.contentId, 'string', 'the skipped entry is named');
    assert.ok(countOutputIds(run.output).size > 30, 'the rest of the page was queued and fetched');
    assert.equal((await health())?.lastError, undefined, 'no listing error: only the entries were skipped');

    emulator.setChaos({ listingWithoutContentUri: 0 });
    await runUntilIdle(run);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected()), [], 'skipped entries arrive once listed whole');
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test("string and null elements of a blob go to the dead-letter output with their reason; the blob's records are delivered", async () => {
  const emulator = await startEmulator({
    seed: 14,
    tenants: emulatorTenants().slice(0, 1),
    pageSize: 50,
    chaos: { nonObjectElement: 1 },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const eventsPath = join(dir, 'events.ndjson');
  const deadPath = join(dir, 'dead-letter.ndjson');
  const pipeline = new Pipeline({
    sinks: [
      new KindFilterSink(new FileSink({ name: 'events', path: eventsPath, logger: silentLogger }), ['event']),
      new KindFilterSink(new FileSink({ name: 'dead', path: deadPath, logger: silentLogger }), ['dead-letter']),
    ],
    format: 'raw',
    logger: silentLogger,
  });
  const state = new SqliteStateStore(join(dir, 'state.db'));
  await state.recordBaselinePositions(await pipeline.open(await state.sinkPositions()));
  const config = parseConfig({
    tenants: tenantEntries(emulator, caFile, [{ content_types: ['Audit.Exchange'] }]).slice(0, 1),
    collection: FAST_COLLECTION,
  });
  const collector = createCollector({ config, stateStore: state, delivery: pipeline, logger: silentLogger });
  try {
    emulator.generate(tenant.tenantId, 50, { contentTypes: ['Audit.Exchange'], recordsPerBlob: 10 });
    assert.equal(emulator.stats().injected.nonObjectElement, 5);
    await settle();
    for (let i = 0; i < 20; i += 1) {
      await collector.runOnce();
      const [h] = await state.streamHealth();
      if (h && h.pendingBlobs + h.quarantinedBlobs === 0 && h.eventsTotal > 0) break;
    }
    const [h] = await state.streamHealth();
    assert.equal(h?.quarantinedBlobs, 0, 'no blob quarantined for its bad element');
    assert.equal(h?.pendingBlobs, 0);
    const lines = (path: string) =>
      readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>);
    const delivered = lines(eventsPath).map((d) => `${tenant.tenantId}:${d.Id}`);
    assert.equal(delivered.length, 50);
    assert.deepEqual(
      new Set(delivered),
      new Set([...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`)),
    );
    const dead = lines(deadPath);
    assert.equal(dead.length, 5, 'one dead letter per bad element');
    for (const d of dead) {
      assert.ok(d.raw === null || d.raw === 'not a record', JSON.stringify(d.raw));
      assert.match(String(d.error.message), /not an object|not JSON/);
      assert.equal(d.labels.content_type, 'Audit.Exchange');
      assert.match(String(d.labels.content_id), /\$/);
    }
  } finally {
    await collector.stop();
    await pipeline.close();
    await state.close();
    await emulator.stop();
  }
});

test('a window still failing when it leaves the 7 days is forgotten loudly (EVENTS MAY BE LOST), not retried forever', async () => {
  const { emulator, run, log, health } = await setup(15, {}, 50, 'Audit.Exchange');
  const key = { tenantId: tenant.tenantId, contentType: 'Audit.Exchange' };
  try {
    await run.collector.runOnce();
    const now = Date.now();
    const gone = { start: now - 8 * 24 * 60 * MIN, end: now - 8 * 24 * 60 * MIN + 60 * MIN };
    await run.state.recordWindowFailure(key, gone, { error: 'AF20031: bad page', nextAttemptAt: 0, at: now });
    assert.equal((await health())?.failedWindows?.count, 1);
    await run.collector.runOnce();
    assert.deepEqual(await run.state.failedWindows(key), []);
    const lost = log.lines.filter(
      (l) => l.msg === 'EVENTS MAY BE LOST: listing window failed until it left the 7 days the API keeps',
    );
    assert.equal(lost.length, 1);
    assert.equal(lost[0]?.err, 'AF20031: bad page');
    assert.equal((await health())?.status, 'ok');
  } finally {
    await run.close();
    await emulator.stop();
  }
});
