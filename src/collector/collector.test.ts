import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CHAOS, startEmulator } from '../emulator/index.ts';
import { TestClient } from '../emulator/test-support.ts';
import type { QueuedBlob } from '../state/state-store.ts';
import { apiRequestDuration } from '../management-api/metrics.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import {
  ALL_CONTENT_TYPES,
  TENANTS,
  emulatorTenants,
  inProcess,
  runUntilIdle,
  tempDir,
  tenantEntries,
  type InProcessRun,
} from './testing/harness.ts';

const expectedIds = (emulator: { publishedIds(t: string): Set<string> }): string[] =>
  TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));

/** Windows end on whole seconds: wait until blobs published now are inside the next window. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));

async function quarantined(run: InProcessRun): Promise<QueuedBlob[]> {
  const blobs: QueuedBlob[] = [];
  for (const t of TENANTS) {
    for (const contentType of ALL_CONTENT_TYPES) {
      const due = await run.state.dueBlobs({ tenantId: t.tenantId, contentType }, Number.MAX_SAFE_INTEGER, 10_000);
      blobs.push(...due.filter((b) => b.state === 'quarantined'));
    }
  }
  return blobs;
}

/** Cycles until the only blobs left are quarantined ones that keep failing (bounded). */
async function runUntilIdleOrQuarantined(run: InProcessRun, maxCycles = 80): Promise<void> {
  let quiet = 0;
  for (let i = 0; i < maxCycles && quiet < 3; i += 1) {
    const results = await run.collector.runOnce();
    const health = await run.state.streamHealth();
    const pending = health.reduce((n, h) => n + h.pendingBlobs, 0);
    const progress = results.some(
      (r) => r.error || r.blobsListed > 0 || r.blobsFetched > 0 || (r.blobsFailed > 0 && pending > 0),
    );
    quiet = pending === 0 && !progress ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 120));
  }
  assert.equal(quiet, 3, 'collector settled');
}

async function listErrorResponses(): Promise<number> {
  const { values } = await apiRequestDuration.get();
  return values
    .filter((v) => v.metricName?.endsWith('_count') && v.labels.operation === 'list' && String(v.labels.status).startsWith('4'))
    .reduce((n, v) => n + v.value, 0);
}

test('end to end: events of every content type from two tenants arrive exactly once', async () => {
  const emulator = await startEmulator({ seed: 1, tenants: emulatorTenants(), pageSize: 3 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, { tenants: tenantEntries(emulator, caFile) });
  try {
    for (const t of TENANTS) emulator.generate(t.tenantId, 400, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 7 });
    await settle();
    await runUntilIdle(run);
    const expected = expectedIds(emulator);
    assert.ok(expected.length >= 800);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
    const stats = emulator.stats();
    assert.equal(stats.withoutPublisherIdentifier, 0, 'PublisherIdentifier on every call');
    assert.ok((stats.requests.blob ?? 0) > 0 && (stats.requests.start ?? 0) === 10, JSON.stringify(stats.requests));
    // later polls add nothing and do not start subscriptions again
    emulator.generate(TENANTS[0].tenantId, 30, { contentTypes: ['Audit.Exchange'] });
    await settle();
    await runUntilIdle(run);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expectedIds(emulator)), []);
    assert.equal(emulator.stats().requests.start, 10);
    const health = await run.state.streamHealth();
    assert.equal(health.length, 10);
    assert.ok(
      health.every((h) => h.status === 'ok' && h.pendingBlobs === 0),
      JSON.stringify(health[0]),
    );
    assert.equal(
      health.reduce((n, h) => n + h.eventsTotal, 0),
      expectedIds(emulator).length,
    );
    assert.equal(await listErrorResponses(), 0, 'no window error from our own requests');
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('every chaos switch on: still exactly once; only blobs whose contentUri is on another host are held back (quarantined, never fetched)', async () => {
  const emulator = await startEmulator({
    seed: 7,
    tenants: emulatorTenants(),
    pageSize: 20,
    chaos: {
      duplicateWithinBlob: 0.2,
      duplicateAcrossBlobs: 0.2,
      lateBlob: 0.2,
      lateBlobMaxMs: 2 * 3_600_000,
      transientError: 0.1,
      throttle: 0.03,
      throttleStatus: 429,
      publisherQuotaPerMinute: 3000,
      slowResponse: 0.05,
      slowResponseMs: 100,
      truncatedBlob: 0.15,
      foreignContentUri: 0.05,
      hugeBlobBytes: 1_000_000,
      nextPageUrlSpelling: true,
      blobRedirect: 0.1,
      blobRedirectTarget: 'api-host',
      listingWithoutExpiration: 0.2,
    },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, { tenants: tenantEntries(emulator, caFile) });
  try {
    for (const t of TENANTS) emulator.generate(t.tenantId, 300, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 5 });
    await settle();
    await runUntilIdleOrQuarantined(run);
    const stats = emulator.stats();
    for (const kind of [
      'throttled',
      'truncated',
      'late',
      'duplicateWithin',
      'duplicateAcross',
      'huge',
      'foreignUri',
      'redirectApiHost',
      'listingWithoutExpiration',
    ]) {
      assert.ok((stats.injected[kind] ?? 0) > 0, `chaos ${kind} was exercised: ${JSON.stringify(stats.injected)}`);
    }
    // The held-back blobs: all quarantined for their host, and what they hold is exactly what is missing.
    const held = await quarantined(run);
    assert.equal(held.length, stats.injected.foreignUri);
    assert.ok(
      held.every((b) => /refusing to send the token to https:\/\/localhost/.test(b.lastError ?? '')),
      held[0]?.lastError,
    );
    emulator.setChaos(DEFAULT_CHAOS); // the checks below talk to the emulator directly
    const client = new TestClient(emulator);
    const inHeld = new Set<string>();
    for (const blob of held) {
      const tenant = TENANTS.find((t) => t.tenantId === blob.tenantId)!;
      const token = await client.token(tenant.tenantId, tenant.clientId, tenant.secret);
      const url = `${blob.contentUri.replace('//localhost:', '//127.0.0.1:')}?PublisherIdentifier=${tenant.tenantId}`;
      let body = await client.get(url, token);
      for (let i = 0; i < 20 && body.status !== 200; i += 1) body = await client.get(url, token);
      for (const record of body.json as { Id: string }[]) inHeld.add(`${blob.tenantId}:${record.Id}`);
    }
    const counts = countOutputIds(run.output);
    const expected = expectedIds(emulator).filter((id) => counts.has(id) || !inHeld.has(id));
    assert.deepEqual(exactlyOnceProblems(counts, expected), []);
    assert.ok(expected.length > 600);
    assert.equal(stats.withoutPublisherIdentifier, 0);
  } finally {
    await run.close();
    await emulator.stop();
  }
});

/** Holds every delivery until `open()` is called: blobs fetched meanwhile stay in hand. */
function holdDeliveries(run: InProcessRun): () => void {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const exclusive = run.delivery.exclusive.bind(run.delivery);
  run.delivery.exclusive = (fn) => opened.then(() => exclusive(fn));
  return open;
}

test('while delivery is held, no more blobs are fetched than collection.blobs_in_hand, all tenants together; then all arrive once', async () => {
  const emulator = await startEmulator({ seed: 3, tenants: emulatorTenants() });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const fetchedWhileHeld = async (collection: Record<string, unknown>): Promise<number> => {
    const run = await inProcess(tempDir(), { tenants: tenantEntries(emulator, caFile), collection });
    try {
      const before = emulator.stats().requests.blob ?? 0;
      const open = holdDeliveries(run);
      const cycle = run.collector.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const fetched = (emulator.stats().requests.blob ?? 0) - before;
      open();
      await cycle;
      await runUntilIdle(run);
      assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expectedIds(emulator)), []);
      return fetched;
    } finally {
      await run.close();
    }
  };
  try {
    for (const t of TENANTS) emulator.generate(t.tenantId, 200, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 5 });
    await settle();
    assert.equal(await fetchedWhileHeld({ concurrency: 8, blobs_in_hand: 3 }), 3);
    // The default (twice the connections) lets every worker of both tenants fetch.
    assert.ok((await fetchedWhileHeld({ concurrency: 8 })) > 3);
  } finally {
    await emulator.stop();
  }
});
