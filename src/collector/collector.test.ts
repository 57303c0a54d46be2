import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../emulator/index.ts';
import { apiRequestDuration } from '../management-api/metrics.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import { ALL_CONTENT_TYPES, TENANTS, emulatorTenants, inProcess, runUntilIdle, tempDir, tenantEntries } from './testing/harness.ts';

const expectedIds = (emulator: { publishedIds(t: string): Set<string> }): string[] =>
  TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));

/** Windows end on whole seconds: wait until blobs published now are inside the next window. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1100));

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
    assert.ok(health.every((h) => h.status === 'ok' && h.pendingBlobs === 0), JSON.stringify(health[0]));
    assert.equal(health.reduce((n, h) => n + h.eventsTotal, 0), expectedIds(emulator).length);
    assert.equal(await listErrorResponses(), 0, 'no window error from our own requests');
  } finally {
    await run.close();
    await emulator.stop();
  }
});
