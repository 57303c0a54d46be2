import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestCertificateAsync } from './certificates.ts';
import { startEmulator } from './emulator.ts';
import { signJwt } from './jwt.ts';
import { APP_A, SECRET_A, TENANT_A, TENANT_B, TestClient, errorCode, errorMessage, testClock } from './test-support.ts';
import type { Emulator } from './types.ts';

const NO_ROLE_APP = '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const DISABLED_TENANT = '5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b';

describe('emulated Activity API: auth, tenants and subscriptions', () => {
  const clock = testClock();
  let em: Emulator;
  let client: TestClient;
  let token: string;

  before(async () => {
    em = await startEmulator({
      seed: 2,
      now: clock.now,
      tenants: [
        {
          tenantId: TENANT_A,
          apps: [
            { clientId: APP_A, clientSecret: SECRET_A },
            { clientId: NO_ROLE_APP, clientSecret: SECRET_A, roles: [] },
          ],
        },
        { tenantId: TENANT_B, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
        { tenantId: DISABLED_TENANT, auditDisabled: true, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
      ],
    });
    client = new TestClient(em);
    token = await client.token();
  });
  after(async () => {
    await client.close();
    await em.stop();
  });

  it('refuses missing, forged and expired bearer tokens with 401', async () => {
    const url = client.api(TENANT_A, 'subscriptions/list');
    assert.equal((await client.call('GET', url)).status, 401);
    assert.equal((await client.get(url, 'garbage')).status, 401);
    const forged = signJwt(
      { tid: TENANT_A, aud: 'https://manage.office.com', roles: ['ActivityFeed.Read'], exp: Date.now() / 1000 + 600 },
      (await createTestCertificateAsync()).privateKeyPem,
    );
    assert.equal((await client.get(url, forged)).status, 401);
    clock.advance(3600_000);
    const expired = await client.get(url, token);
    clock.advance(-3600_000);
    assert.equal(expired.status, 401);
    assert.match(expired.headers['www-authenticate'] ?? '', /expired/);
    assert.equal((await client.get(url, token)).status, 200);
  });

  it('checks the tenant in the URL: AF20013 non-GUID, AF20010 mismatch with the token, AF10001 without role', async () => {
    const notGuid = await client.get(`${em.url}/api/v1.0/contoso.onmicrosoft.com/activity/feed/subscriptions/list`, token);
    assert.deepEqual([notGuid.status, errorCode(notGuid)], [400, 'AF20013']);
    const malformed = await client.get(`${em.url}/api/v1.0/%E0%A4%A/activity/feed/subscriptions/list`, token);
    assert.deepEqual([malformed.status, errorCode(malformed)], [400, 'AF20013']);
    const mismatch = await client.get(client.api(TENANT_B, 'subscriptions/list'), token);
    assert.equal(errorCode(mismatch), 'AF20010');
    const noRole = await client.get(client.api(TENANT_A, 'subscriptions/list'), await client.token(TENANT_A, NO_ROLE_APP));
    assert.deepEqual([noRole.status, errorCode(noRole)], [401, 'AF10001']);
    assert.match(errorMessage(noRole), /permission set \(\) sent in the request does not include the expected permission/);
  });

  it('runs the subscription state machine: AF20022 → start → AF20024 → stop → AF20023 → start', async () => {
    const start = client.api(TENANT_A, `subscriptions/start?contentType=Audit.Exchange&PublisherIdentifier=${TENANT_A}`);
    const content = client.api(TENANT_A, 'subscriptions/content?contentType=Audit.Exchange');
    assert.equal(errorCode(await client.get(content, token)), 'AF20022');
    assert.equal(
      errorCode(await client.post(client.api(TENANT_A, 'subscriptions/stop?contentType=Audit.Exchange'), token)),
      'AF20022',
    );
    assert.deepEqual((await client.get(client.api(TENANT_A, 'subscriptions/list'), token)).json, []);

    const started = await client.post(start, token);
    assert.equal(started.status, 200);
    assert.deepEqual(started.json, { contentType: 'Audit.Exchange', status: 'enabled', webhook: null });
    const again = await client.post(start, token);
    assert.deepEqual(
      [again.status, errorCode(again), errorMessage(again)],
      [400, 'AF20024', 'The subscription is already enabled. No property change.'],
    );
    assert.equal((await client.get(content, token)).status, 200);

    const stopped = await client.post(client.api(TENANT_A, 'subscriptions/stop?contentType=Audit.Exchange'), token);
    assert.deepEqual([stopped.status, stopped.text], [200, '']);
    assert.deepEqual((await client.get(client.api(TENANT_A, 'subscriptions/list'), token)).json, [
      { contentType: 'Audit.Exchange', status: 'disabled', webhook: null },
    ]);
    const disabled = await client.get(content, token);
    assert.deepEqual([disabled.status, errorCode(disabled)], [400, 'AF20023']);

    // Produced while stopped: never listable, not part of the ground truth.
    const hiddenIds = new Set(em.publish(TENANT_A, 'Audit.Exchange', [{ Id: 'produced-while-stopped', RecordType: 1 }]));
    assert.equal((await client.post(start, token)).status, 200);
    const visibleIds = em.publish(TENANT_A, 'Audit.Exchange', [{ Id: 'produced-after-restart', RecordType: 1 }]);
    clock.advance(1000);
    const listed = (await client.get(content, token)).json as { contentId: string }[];
    assert.deepEqual(
      listed.map((b) => b.contentId),
      visibleIds,
    );
    assert.equal(hiddenIds.size, 1);
    assert.deepEqual([...em.publishedIds(TENANT_A)], ['produced-after-restart']);
  });

  it('rejects unknown content types with AF20020 (content type matching is case-insensitive)', async () => {
    const bad = await client.post(client.api(TENANT_A, 'subscriptions/start?contentType=Audit.Teams'), token);
    assert.deepEqual([bad.status, errorCode(bad)], [400, 'AF20020']);
    assert.equal((await client.post(client.api(TENANT_A, 'subscriptions/start?contenttype=dlp.all'), token)).status, 200);
  });

  it('serves dlpSensitiveTypes and validates Accept-Language (AF20053/AF20054)', async () => {
    const url = client.api(TENANT_A, 'resources/dlpSensitiveTypes');
    const ok = await client.get(url, token, { 'accept-language': 'en-US' });
    assert.equal(ok.status, 200);
    assert.ok((ok.json as { id: string; name: string }[]).some((t) => t.name === 'Credit Card Number'));
    assert.equal(errorCode(await client.get(url, token, { 'accept-language': 'en-US, fr-FR' })), 'AF20053');
    assert.equal(errorCode(await client.get(url, token, { 'accept-language': 'en_US!' })), 'AF20054');
  });

  it('fails every call of an audit-disabled tenant like the real service', async () => {
    const t = await client.token(DISABLED_TENANT);
    const res = await client.post(client.api(DISABLED_TENANT, 'subscriptions/start?contentType=Audit.Exchange'), t);
    assert.equal(res.status, 400);
    assert.match(
      errorCode(res) ?? '',
      /^StartSubscription \[TenantId=5e4d3c2b-.*,ContentType=Audit\.Exchange,.*\] failed\. Exception$/,
    );
    assert.match(errorMessage(res), /DataServiceException: Tenant 5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c1b does not exist/);
  });

  it('counts calls made without PublisherIdentifier (name matched case-insensitively)', async () => {
    const before = em.stats().withoutPublisherIdentifier;
    await client.get(client.api(TENANT_A, 'subscriptions/list'), token);
    await client.get(client.api(TENANT_A, `subscriptions/list?publisheridentifier=${TENANT_A}`), token);
    await client.get(client.api(TENANT_A, `subscriptions/list?PublisherIdentifier=${TENANT_A}`), token);
    assert.equal(em.stats().withoutPublisherIdentifier - before, 1);
  });

  it('sends the real response headers', async () => {
    const res = await client.get(client.api(TENANT_A, 'subscriptions/list'), token);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.headers.pragma, 'no-cache');
    assert.equal(res.headers.expires, '-1');
    assert.equal(Date.parse(res.headers.date ?? ''), Math.floor(clock.now() / 1000) * 1000);
  });
});
