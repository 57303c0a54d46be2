import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServerCertificate } from '../certificates.ts';
import { startEmulator } from '../emulator.ts';
import { APP_A, SECRET_A, TENANT_A, TestClient, errorCode, errorMessage } from '../test-support.ts';
import type { Emulator } from '../types.ts';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A loopback HTTPS webhook endpoint answering `status()` and recording every request. */
async function startReceiver(
  cert: { certificatePem: string; privateKeyPem: string },
  status: () => number,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer({ cert: cert.certificatePem, key: cert.privateKeyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
      res.writeHead(status()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

const waitFor = async (check: () => boolean, what: string): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), `timed out waiting for ${what}`);
};

describe('emulated Activity API: webhooks', () => {
  let em: Emulator;
  let client: TestClient;
  let token: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let answer = 200;

  before(async () => {
    const cert = await createServerCertificate();
    receiver = await startReceiver(cert, () => answer);
    em = await startEmulator({
      seed: 3,
      webhookCa: cert.certificatePem,
      webhookRetry: { maxAttempts: 3, retryBaseMs: 20 },
      tenants: [{ tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] }],
    });
    client = new TestClient(em);
    token = await client.token();
  });
  after(async () => {
    await client.close();
    await em.stop();
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  });

  const start = (ct: string, webhook: unknown) =>
    client.post(client.api(TENANT_A, `subscriptions/start?contentType=${ct}`), token, JSON.stringify({ webhook }));

  it('refuses http:// addresses and endpoints that do not answer 200 with AF20021, and creates no subscription', async () => {
    const plain = await start('Audit.General', { address: 'http://127.0.0.1:1/hook' });
    assert.deepEqual([plain.status, errorCode(plain)], [400, 'AF20021']);
    assert.match(errorMessage(plain), /must begin with HTTPS/);
    answer = 403;
    const refused = await start('Audit.General', { address: `${receiver.url}/refuse` });
    answer = 200;
    assert.deepEqual([refused.status, errorCode(refused)], [400, 'AF20021']);
    assert.match(errorMessage(refused), /did not return HTTP 200/);
    assert.deepEqual((await client.get(client.api(TENANT_A, 'subscriptions/list'), token)).json, []);
  });

  it('validates with the code in header and body plus Webhook-AuthID, then lists the webhook as enabled', async () => {
    receiver.received.length = 0;
    const started = await start('Audit.Exchange', { address: `${receiver.url}/hook`, authId: 'hook-auth', expiration: '' });
    assert.equal(started.status, 200);
    const view = { status: 'enabled', address: `${receiver.url}/hook`, authId: 'hook-auth', expiration: null };
    assert.deepEqual(started.json, { contentType: 'Audit.Exchange', status: 'enabled', webhook: view });
    const [validation] = receiver.received;
    assert.ok(validation);
    const code = validation.headers['webhook-validationcode'];
    assert.equal(typeof code, 'string');
    assert.deepEqual(validation.body, { validationCode: code });
    assert.equal(validation.headers['webhook-authid'], 'hook-auth');
    assert.deepEqual((await client.get(client.api(TENANT_A, 'subscriptions/list'), token)).json, [
      { contentType: 'Audit.Exchange', status: 'enabled', webhook: view },
    ]);
  });

  it('pushes one notification per published blob and records it in /subscriptions/notifications', async () => {
    receiver.received.length = 0;
    const [contentId] = em.publish(TENANT_A, 'Audit.Exchange', [
      {
        Id: 'n-1',
        RecordType: 2,
        CreationTime: '2026-01-01T00:00:00',
        Operation: 'Send',
        OrganizationId: TENANT_A,
        UserId: 'a@b.c',
        Workload: 'Exchange',
      },
    ]);
    await waitFor(() => receiver.received.length === 1, 'the notification');
    const body = receiver.received[0]?.body as Record<string, string>[];
    assert.equal(body.length, 1);
    assert.deepEqual(
      { ...body[0], contentCreated: undefined, contentExpiration: undefined },
      {
        tenantId: TENANT_A,
        clientId: APP_A,
        contentType: 'Audit.Exchange',
        contentId,
        contentUri: `${em.url}/api/v1.0/${TENANT_A}/activity/feed/audit/${contentId}`,
        contentCreated: undefined,
        contentExpiration: undefined,
      },
    );
    assert.equal(receiver.received[0]?.headers['webhook-authid'], 'hook-auth');
    // The emulator records the outcome once the receiver's answer is back, which can be after the receiver saw the body.
    let history: Record<string, string>[] = [];
    for (let i = 0; i < 200 && history.length === 0; i += 1) {
      if (i > 0) await new Promise((r) => setTimeout(r, 25));
      const res = await client.get(client.api(TENANT_A, 'subscriptions/notifications?contentType=Audit.Exchange'), token);
      history = res.json as Record<string, string>[];
    }
    assert.deepEqual(
      history.map((n) => [n.contentId, n.notificationStatus]),
      [[contentId, 'Succeeded']],
    );
  });

  it('retries a failing endpoint with backoff, then disables the webhook', async () => {
    receiver.received.length = 0;
    answer = 500;
    em.publish(TENANT_A, 'Audit.Exchange', [
      {
        Id: 'n-2',
        RecordType: 2,
        CreationTime: '2026-01-01T00:00:00',
        Operation: 'Send',
        OrganizationId: TENANT_A,
        UserId: 'a@b.c',
        Workload: 'Exchange',
      },
    ]);
    const listed = async () =>
      ((await client.get(client.api(TENANT_A, 'subscriptions/list'), token)).json as { webhook: { status: string } }[])[0]
        ?.webhook.status;
    let status: string | undefined;
    for (let i = 0; i < 200 && status !== 'disabled'; i += 1) {
      await new Promise((r) => setTimeout(r, 25));
      status = await listed();
    }
    answer = 200;
    assert.equal(status, 'disabled');
    assert.equal(receiver.received.length, 3);
    const history = await client.get(client.api(TENANT_A, 'subscriptions/notifications?contentType=Audit.Exchange'), token);
    assert.deepEqual(
      (history.json as Record<string, string>[]).map((n) => n.notificationStatus),
      ['Succeeded', 'Failed', 'Failed', 'Failed'],
    );
    em.publish(TENANT_A, 'Audit.Exchange', [
      {
        Id: 'n-3',
        RecordType: 2,
        CreationTime: '2026-01-01T00:00:00',
        Operation: 'Send',
        OrganizationId: TENANT_A,
        UserId: 'a@b.c',
        Workload: 'Exchange',
      },
    ]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(receiver.received.length, 3, 'a disabled webhook gets no notification');
    const reenabled = await start('Audit.Exchange', { address: `${receiver.url}/hook`, authId: 'hook-auth' });
    assert.equal((reenabled.json as { webhook: { status: string } }).webhook.status, 'enabled');
  });

  it('marks a webhook past its expiration as expired and stops notifying', async () => {
    const started = await start('Audit.SharePoint', {
      address: `${receiver.url}/hook`,
      expiration: new Date(Date.now() - 1000).toISOString(),
    });
    assert.equal(started.status, 200);
    assert.equal((started.json as { webhook: { status: string } }).webhook.status, 'expired');
  });
});
