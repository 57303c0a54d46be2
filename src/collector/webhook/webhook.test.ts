import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parseConfig } from '../../config/load.ts';
import { createServerCertificate } from '../../emulator/certificates.ts';
import { startEmulator } from '../../emulator/index.ts';
import { TestClient } from '../../emulator/test-support.ts';
import { silentLogger } from '../../observability/logger.ts';
import { FileSink } from '../../sinks/file.ts';
import { SqliteStateStore } from '../../state/sqlite-state-store.ts';
import { createCollector } from '../collector.ts';
import {
  FAST_COLLECTION,
  TENANTS,
  emulatorTenants,
  inProcess,
  runUntilIdle,
  tempDir,
  tenantEntries,
} from '../testing/harness.ts';
import { countOutputIds, exactlyOnceProblems } from '../testing/output-file.ts';
import { SinkDelivery } from '../testing/sink-delivery.ts';
import { webhookReceiverSchema } from './config.ts';
import { webhookMetrics } from './metrics.ts';
import { startWebhookReceiver } from './receiver.ts';

const CONTOSO = TENANTS[0];
const AUTH_ID = 'webhook-auth-id~7';
const EXCHANGE = { tenantId: CONTOSO.tenantId, contentType: 'Audit.Exchange' } as const;

const waitFor = async (check: () => boolean | Promise<boolean>, what: string, tries = 200): Promise<void> => {
  for (let i = 0; i < tries; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
};

test('webhook mode: notified blobs are delivered long before the next poll, exactly once; foreign hosts and bad auth ids are refused', async (t) => {
  const cert = await createServerCertificate();
  const emulator = await startEmulator({ seed: 5, tenants: emulatorTenants(), webhookCa: cert.certificatePem });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const state = new SqliteStateStore(join(dir, 'state.db'));
  const output = join(dir, 'out.ndjson');
  const delivery = new SinkDelivery([new FileSink({ name: 'file', path: output, logger: silentLogger })]);
  await state.recordBaselinePositions(await delivery.open(await state.sinkPositions()));
  const entries = (address: string): Record<string, unknown>[] =>
    tenantEntries(emulator, caFile, [{ content_types: ['Audit.Exchange'], webhook: { address, auth_id: AUTH_ID } }]).slice(0, 1);
  const woken: string[] = [];
  let wake: (tenantId: string) => boolean = () => false;
  // The receiver routes by path only: the address's port (known once it listens) does not matter to it.
  const receiver = await startWebhookReceiver({
    config: webhookReceiverSchema.parse({ port: 0, tls_cert_file: '-', tls_key_file: '-' }),
    tls: { cert: cert.certificatePem, key: cert.privateKeyPem },
    tenants: parseConfig({ tenants: entries('https://127.0.0.1/o365/contoso') }).tenants,
    state,
    logger: silentLogger,
    wake: (tenantId) => {
      woken.push(tenantId);
      wake(tenantId);
    },
  });
  const config = parseConfig({
    tenants: entries(`${receiver.url}/o365/contoso`),
    collection: { ...FAST_COLLECTION, poll_interval: '10m' },
  });
  const collector = createCollector({ config, stateStore: state, delivery, logger: silentLogger });
  wake = (tenantId) => collector.wake(tenantId);
  const client = new TestClient(emulator);
  const dispatcher = new Agent({ connect: { ca: cert.certificatePem } });
  t.after(async () => {
    await collector.stop();
    await receiver.close();
    await delivery.close();
    await state.close();
    await client.close();
    await dispatcher.close();
    await emulator.stop();
  });

  await collector.start();
  const token = await client.token(CONTOSO.tenantId, CONTOSO.clientId, CONTOSO.secret);
  const subscriptions = async (): Promise<unknown> =>
    (await client.get(client.api(CONTOSO.tenantId, 'subscriptions/list'), token)).json;
  await waitFor(
    async () => JSON.stringify(await subscriptions()).includes('"status":"enabled","address"'),
    'the subscription with its validated webhook',
  );
  assert.deepEqual(await subscriptions(), [
    {
      contentType: 'Audit.Exchange',
      status: 'enabled',
      webhook: { status: 'enabled', address: `${receiver.url}/o365/contoso`, authId: AUTH_ID, expiration: null },
    },
  ]);

  // The poller sleeps 10 minutes: only the notifications can bring these events in now.
  emulator.generate(CONTOSO.tenantId, 40, { contentTypes: ['Audit.Exchange'], recordsPerBlob: 8 });
  const expected = [...emulator.publishedIds(CONTOSO.tenantId)].map((id) => `${CONTOSO.tenantId}:${id}`);
  assert.ok(expected.length >= 40);
  await waitFor(() => exactlyOnceProblems(countOutputIds(output), expected).length === 0, 'the notified events in the output');
  assert.ok(woken.length > 0 && woken.every((id) => id === CONTOSO.tenantId));
  const history = (
    await client.get(client.api(CONTOSO.tenantId, 'subscriptions/notifications?contentType=Audit.Exchange'), token)
  ).json as { notificationStatus: string }[];
  assert.ok(history.length >= 5 && history.every((n) => n.notificationStatus === 'Succeeded'), JSON.stringify(history));

  // The poller later lists the same blobs: the ledger knows them, nothing is written twice.
  await new Promise((r) => setTimeout(r, 1100));
  const [cycle] = await collector.runOnce();
  assert.equal(cycle?.error, undefined);
  assert.equal(cycle?.blobsListed, 0);
  assert.deepEqual(exactlyOnceProblems(countOutputIds(output), expected), []);

  const post = async (headers: Record<string, string>, body: unknown): Promise<number> => {
    const res = await request(`${receiver.url}/o365/contoso`, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    await res.body.dump();
    return res.statusCode;
  };
  const contentId = '20260101000000000000000$20260101000500000000000$audit_exchange$Audit_Exchange$na0017';
  const notification = (contentUri: string) => [
    {
      tenantId: CONTOSO.tenantId,
      clientId: CONTOSO.clientId,
      contentType: 'Audit.Exchange',
      contentId,
      contentUri,
      contentCreated: new Date().toISOString(),
      contentExpiration: new Date(Date.now() + 86_400_000).toISOString(),
    },
  ];
  const before = emulator.stats().requests.blob;
  assert.equal(
    await post(
      { 'webhook-authid': AUTH_ID },
      notification(`https://evil.example/api/v1.0/${CONTOSO.tenantId}/activity/feed/audit/${contentId}`),
    ),
    400,
  );
  assert.equal(
    await post(
      { 'webhook-authid': 'wrong' },
      notification(`${emulator.url}/api/v1.0/${CONTOSO.tenantId}/activity/feed/audit/${contentId}`),
    ),
    401,
  );
  assert.equal(
    await post({}, notification(`${emulator.url}/api/v1.0/${CONTOSO.tenantId}/activity/feed/audit/${contentId}`)),
    401,
  );
  assert.equal(await post({ 'webhook-authid': AUTH_ID, 'webhook-validationcode': 'abc' }, { validationCode: 'abc' }), 200);
  assert.equal(
    await post({ 'webhook-authid': AUTH_ID }, [
      {
        ...notification(`${emulator.url}/api/v1.0/${CONTOSO.tenantId}/activity/feed/audit/${contentId}`)[0],
        contentType: 'DLP.All',
      },
    ]),
    400,
  );
  assert.equal(await post({ 'webhook-authid': AUTH_ID }, { not: 'an array' }), 400);
  assert.deepEqual(await state.dueBlobs(EXCHANGE, Number.MAX_SAFE_INTEGER, 100), [], 'refused notifications enqueue nothing');
  assert.equal(emulator.stats().requests.blob, before, 'refused notifications fetch nothing');
  const outcomes = Object.fromEntries(
    (await webhookMetrics.requests.get()).values
      .filter((v) => v.labels.tenant === 'contoso')
      .map((v) => [v.labels.outcome, v.value]),
  );
  assert.equal(outcomes.refused_auth, 2);
  assert.equal(outcomes.refused_invalid, 3);
  assert.ok((outcomes.accepted ?? 0) >= 5 && (outcomes.validated ?? 0) >= 2, JSON.stringify(outcomes));
});

test('a webhook the service cannot validate (AF20021) leaves polling working: events still arrive exactly once', async (t) => {
  const emulator = await startEmulator({ seed: 6, tenants: emulatorTenants() });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const run = await inProcess(dir, {
    tenants: tenantEntries(emulator, caFile, [
      { content_types: ['Audit.Exchange'], webhook: { address: 'https://127.0.0.1:1/o365/contoso' } },
    ]).slice(0, 1),
  });
  const client = new TestClient(emulator);
  t.after(async () => {
    await run.close();
    await client.close();
    await emulator.stop();
  });
  emulator.generate(CONTOSO.tenantId, 20, { contentTypes: ['Audit.Exchange'], recordsPerBlob: 5 });
  await new Promise((r) => setTimeout(r, 1100));
  await runUntilIdle(run);
  const expected = [...emulator.publishedIds(CONTOSO.tenantId)].map((id) => `${CONTOSO.tenantId}:${id}`);
  assert.deepEqual(exactlyOnceProblems(countOutputIds(run.output), expected), []);
  const token = await client.token(CONTOSO.tenantId, CONTOSO.clientId, CONTOSO.secret);
  assert.deepEqual((await client.get(client.api(CONTOSO.tenantId, 'subscriptions/list'), token)).json, [
    { contentType: 'Audit.Exchange', status: 'enabled', webhook: null },
  ]);
});
