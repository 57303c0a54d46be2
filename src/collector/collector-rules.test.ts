import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator } from '../emulator/index.ts';
import { TestClient } from '../emulator/test-support.ts';
import { apiRequestDuration } from '../management-api/metrics.ts';
import { createLogger } from '../observability/logger.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import {
  ALL_CONTENT_TYPES,
  TENANTS,
  emulatorTenants,
  inProcess,
  runUntilIdle,
  tempDir,
  tenantEntries,
} from './testing/harness.ts';

const DAY = 86_400_000;

async function responsesWithStatus(operation: string, prefix: string): Promise<number> {
  const { values } = await apiRequestDuration.get();
  return values
    .filter(
      (v) => v.metricName?.endsWith('_count') && v.labels.operation === operation && String(v.labels.status).startsWith(prefix),
    )
    .reduce((n, v) => n + v.value, 0);
}

test('window rules: 7-day clamp, 24h windows, page size 1, and never an AF20055 from our own requests', async () => {
  const emulator = await startEmulator({ seed: 3, tenants: emulatorTenants().slice(0, 1), pageSize: 1, startGraceMs: 0 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const tenant = TENANTS[0];
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile).slice(0, 1),
    collection: { backfill: '30d', window: '24h', settle_window: '24h', listing_delay: '1s' },
  });
  try {
    // The emulator really enforces the 7-day limit: a request 8 days back is refused.
    const client = new TestClient(emulator);
    const token = await client.token(tenant.tenantId, tenant.clientId, tenant.secret);
    await client.post(client.api(tenant.tenantId, 'subscriptions/start?contentType=Audit.General'), token);
    const start = new Date(Date.now() - 8 * DAY).toISOString().slice(0, 19);
    const end = new Date(Date.now() - 8 * DAY + 3_600_000).toISOString().slice(0, 19);
    const refused = await client.get(
      client.api(
        tenant.tenantId,
        `subscriptions/content?contentType=Audit.General&startTime=${start}&endTime=${end}&PublisherIdentifier=${tenant.tenantId}`,
      ),
      token,
    );
    assert.equal(refused.status, 400);
    assert.match(refused.text, /AF20055|AF20030/);

    const now = Date.now();
    for (const contentType of ALL_CONTENT_TYPES) {
      emulator.generate(tenant.tenantId, 6, {
        contentTypes: [contentType],
        recordsPerBlob: 2,
        contentCreated: now - 7 * DAY + 40 * 60_000,
      });
      emulator.generate(tenant.tenantId, 6, { contentTypes: [contentType], recordsPerBlob: 2, contentCreated: now - 3 * DAY });
      emulator.generate(tenant.tenantId, 6, { contentTypes: [contentType], recordsPerBlob: 2, contentCreated: now - 5 * 60_000 });
    }
    await runUntilIdle(run);
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.equal(expected.length, 90);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
    assert.equal(await responsesWithStatus('list', '4'), 0, 'no listing was refused');
    assert.ok((emulator.stats().requests.content ?? 0) >= 5 * 8, 'one page per blob (page size 1) over 8 windows');
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('bad credentials: one clear error per tenant, health shows it, the other tenant is collected', async () => {
  const emulator = await startEmulator({ seed: 5, tenants: emulatorTenants(), pageSize: 50 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  const run = await inProcess(
    dir,
    { tenants: tenantEntries(emulator, caFile, [{ client_secret: 'wrong-secret-value' }]) },
    createLogger('info', logStream),
  );
  try {
    for (const t of TENANTS) emulator.generate(t.tenantId, 100, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 10 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 3; i += 1) {
      const results = await run.collector.runOnce();
      const bad = results.find((r) => r.tenant === 'contoso');
      assert.equal(bad?.error?.code, 'invalid_client');
      assert.match(bad?.error?.message ?? '', /cannot get a token for tenant contoso: invalid_client: AADSTS7000215/);
      assert.equal(results.find((r) => r.tenant === 'fabrikam')?.error, undefined);
    }
    await new Promise((resolve) => setImmediate(resolve));
    const errorLines = logText.split('\n').filter((line) => line.includes('"level":50'));
    assert.equal(errorLines.length, 1, errorLines.join('\n'));
    assert.match(errorLines[0] ?? '', /"tenant":"contoso"/);
    assert.ok(!logText.includes('wrong-secret-value') && !logText.includes(TENANTS[1].secret), 'no secret in logs');

    const fabrikam = [...emulator.publishedIds(TENANTS[1].tenantId)].map((id) => `${TENANTS[1].tenantId}:${id}`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), fabrikam), []);
    const health = await run.state.streamHealth();
    const contoso = health.filter((h) => h.tenantName === 'contoso');
    assert.equal(contoso.length, 5);
    assert.ok(contoso.every((h) => h.status === 'error' && h.lastError?.code === 'invalid_client'));
    assert.ok(health.filter((h) => h.tenantName === 'fabrikam').every((h) => h.status === 'ok'));
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('subscriptions: started once per stream; AF20023 after a stop is recovered by a new start after the cooldown', async () => {
  const emulator = await startEmulator({ seed: 9, tenants: emulatorTenants().slice(0, 1), pageSize: 50 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const tenant = TENANTS[0];
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile).slice(0, 1),
    collection: { subscription_cooldown: '10s' },
  });
  const key = { tenantId: tenant.tenantId, contentType: 'Audit.Exchange' };
  try {
    await run.collector.runOnce();
    await run.collector.runOnce();
    assert.equal(emulator.stats().requests.start, 5);
    const client = new TestClient(emulator);
    const token = await client.token(tenant.tenantId, tenant.clientId, tenant.secret);
    const stopped = await client.post(client.api(tenant.tenantId, 'subscriptions/stop?contentType=Audit.Exchange'), token);
    assert.equal(stopped.status, 200);

    await run.collector.runOnce();
    let health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.Exchange');
    assert.equal(health?.status, 'error');
    assert.equal(health?.lastError?.code, 'AF20023');
    assert.equal((await run.state.getStream(key)).subscriptionEnabled, false);
    const attemptAt = (await run.state.getStream(key)).lastStartAttemptAt ?? 0;
    const withinCooldown = Date.now() - attemptAt < 8_000;
    await run.collector.runOnce();
    if (withinCooldown) assert.equal(emulator.stats().requests.start, 5, 'no new start within the cooldown');

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, attemptAt + 10_100 - Date.now())));
    await run.collector.runOnce();
    assert.equal(emulator.stats().requests.start, 6);
    assert.equal((await run.state.getStream(key)).subscriptionEnabled, true);
    emulator.generate(tenant.tenantId, 20, { contentTypes: ['Audit.Exchange'] });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await runUntilIdle(run);
    health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.Exchange');
    assert.equal(health?.status, 'ok');
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.equal(expected.length, 20);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('subscriptions: a start attempt that never reached the API (AF20022) is retried at once, not after the cooldown', async () => {
  const emulator = await startEmulator({ seed: 10, tenants: emulatorTenants().slice(0, 1), pageSize: 50 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const tenant = TENANTS[0];
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile).slice(0, 1),
    collection: { subscription_cooldown: '1h' },
  });
  const key = { tenantId: tenant.tenantId, contentType: 'Audit.SharePoint' };
  try {
    // As if the previous process recorded its start attempt, then died before sending it.
    await run.state.registerStream(key, tenant.name);
    await run.state.setSubscription(key, false, Date.now());
    await run.collector.runOnce();
    let health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.SharePoint');
    assert.equal(health?.lastError?.code, 'AF20022');
    await run.collector.runOnce();
    assert.equal((await run.state.getStream(key)).subscriptionEnabled, true, 'started on the next poll despite the 1h cooldown');
    emulator.generate(tenant.tenantId, 10, { contentTypes: ['Audit.SharePoint'] });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await runUntilIdle(run);
    health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.SharePoint');
    assert.equal(health?.status, 'ok');
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('a blob that keeps failing is quarantined and reported, retried later; an expired blob is counted as lost, loudly', async () => {
  const emulator = await startEmulator({
    seed: 13,
    tenants: emulatorTenants().slice(0, 1),
    pageSize: 50,
    chaos: { truncatedBlob: 1 },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const tenant = TENANTS[0];
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  const run = await inProcess(
    dir,
    { tenants: tenantEntries(emulator, caFile).slice(0, 1), collection: { max_blob_attempts: 2, quarantine_retry_delay: '1s' } },
    createLogger('info', logStream),
  );
  try {
    emulator.generate(tenant.tenantId, 30, { contentTypes: ['Audit.SharePoint'], recordsPerBlob: 10 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 4; i += 1) await run.collector.runOnce();
    let health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.SharePoint');
    assert.equal(health?.quarantinedBlobs, 3);
    assert.equal(health?.status, 'degraded');
    assert.equal((logText.match(/blob quarantined/g) ?? []).length, 3, 'each quarantine reported once');

    emulator.setChaos({ truncatedBlob: 0 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await runUntilIdle(run);
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
    health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.SharePoint');
    assert.equal(health?.quarantinedBlobs, 0);

    // A blob already past its expiration when we get to it: lost, counted, logged at error level.
    await run.state.enqueueBlobs(
      { tenantId: tenant.tenantId, contentType: 'Audit.General' },
      [
        {
          contentId: 'old-blob',
          contentUri: `${emulator.url}/api/v1.0/${tenant.tenantId}/activity/feed/audit/old-blob`,
          contentCreated: Date.now() - 8 * DAY,
          expiration: Date.now() - DAY,
        },
      ],
      Date.now(),
    );
    await run.collector.runOnce();
    health = (await run.state.streamHealth()).find((h) => h.contentType === 'Audit.General');
    assert.equal(health?.expiredBlobs, 1);
    assert.match(logText, /"level":50[^\n]*"contentId":"old-blob"[^\n]*EVENTS LOST/);
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('clock skew: with the server clock 3 hours ahead, windows follow the Date header (no AF20055 at the 7-day edge, new blobs found)', async () => {
  const skew = 3 * 3_600_000;
  const emulator = await startEmulator({
    seed: 17,
    tenants: emulatorTenants().slice(0, 1),
    pageSize: 50,
    startGraceMs: 0,
    now: () => Date.now() + skew,
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const tenant = TENANTS[0];
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile).slice(0, 1),
    collection: { backfill: '7d', window: '24h', settle_window: '1h' },
  });
  try {
    const before = await responsesWithStatus('list', '4');
    emulator.generate(tenant.tenantId, 40, { contentTypes: ['Audit.Exchange', 'DLP.All'], recordsPerBlob: 4 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await runUntilIdle(run);
    const expected = [...emulator.publishedIds(tenant.tenantId)].map((id) => `${tenant.tenantId}:${id}`);
    assert.equal(expected.length, 40);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
    assert.equal(await responsesWithStatus('list', '4'), before, 'no listing refused');
  } finally {
    await run.close();
    await emulator.stop();
  }
});

test('daemon mode: start() polls every tenant on its own, stop() ends the loops and in-flight work cleanly', async () => {
  const emulator = await startEmulator({ seed: 19, tenants: emulatorTenants(), pageSize: 50 });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, { tenants: tenantEntries(emulator, caFile), collection: { poll_interval: 200 } });
  try {
    await run.collector.start();
    const expected = (): string[] =>
      TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));
    for (let round = 0; round < 3; round += 1) {
      for (const t of TENANTS) emulator.generate(t.tenantId, 25, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 5 });
      for (let i = 0; i < 300 && countOutputIds(run.output).size < expected().length; i += 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected()), []);
    assert.equal(expected().length, 150);
  } finally {
    await run.close();
    await emulator.stop();
  }
});
