import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import type { AuditRecord } from '../core/audit-record.ts';
import { startEmulator } from './emulator.ts';
import { APP_A, SECRET_A, TENANT_A, TestClient, errorCode, errorMessage } from './test-support.ts';
import type { Emulator } from './types.ts';

interface Listed {
  contentUri: string;
  contentId: string;
  contentCreated: string;
}

describe('emulator chaos switches', () => {
  let em: Emulator;
  let client: TestClient;
  let token: string;

  before(async () => {
    em = await startEmulator({ seed: 4, tenants: [{ tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] }] });
    client = new TestClient(em);
    token = await client.token();
    for (const ct of ['Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'Audit.AzureActiveDirectory', 'DLP.All']) {
      await client.post(client.api(TENANT_A, `subscriptions/start?contentType=${ct}`), token);
    }
  });
  after(async () => {
    em.setChaos({ transientError: 0, throttle: 0 });
    await client.close();
    await em.stop();
  });

  const records = (prefix: string, n: number): AuditRecord[] =>
    Array.from({ length: n }, (_, i) => ({ Id: `${prefix}-${i}`, RecordType: 1, Operation: 'Set-Mailbox' }));
  const blob = async (contentId: string) =>
    (await client.get(client.api(TENANT_A, `audit/${contentId}`), token)).json as AuditRecord[];
  const list = async (ct: string) => {
    await new Promise((r) => setTimeout(r, 5));
    return (await client.get(client.api(TENANT_A, `subscriptions/content?contentType=${ct}`), token)).json as Listed[];
  };

  it('duplicateWithinBlob repeats records (same Id, identical content) inside a blob', async () => {
    em.setChaos({ duplicateWithinBlob: 1 });
    const [id] = em.publish(TENANT_A, 'Audit.Exchange', records('dupw', 3));
    em.setChaos({ duplicateWithinBlob: 0 });
    const body = await blob(id ?? '');
    assert.deepEqual(
      body.map((r) => r.Id),
      ['dupw-0', 'dupw-0', 'dupw-1', 'dupw-1', 'dupw-2', 'dupw-2'],
    );
    assert.deepEqual(body[0], body[1]);
    assert.equal(em.stats().injected.duplicateWithin, 3);
  });

  it('duplicateAcrossBlobs copies a record of an earlier blob into a later one', async () => {
    const [first] = em.publish(TENANT_A, 'Audit.Exchange', records('dupa', 2));
    em.setChaos({ duplicateAcrossBlobs: 1 });
    const [second] = em.publish(TENANT_A, 'Audit.Exchange', records('dupb', 2));
    em.setChaos({ duplicateAcrossBlobs: 0 });
    const earlier = new Map((await blob(first ?? '')).map((r) => [r.Id, r]));
    const later = await blob(second ?? '');
    assert.equal(later.length, 3);
    const copied = later.filter((r) => !String(r.Id).startsWith('dupb'));
    assert.equal(copied.length, 1);
    const copy = copied[0] as AuditRecord;
    assert.ok(String(copy.Id).startsWith('dup'), `copied record ${String(copy.Id)}`);
    if (earlier.has(copy.Id)) assert.deepEqual(copy, earlier.get(copy.Id));
  });

  it('lateBlob publishes generated blobs now with contentCreated hours in the past', async () => {
    em.setChaos({ lateBlob: 1, lateBlobMaxMs: 2 * 3_600_000 });
    em.generate(TENANT_A, 20, { contentTypes: ['Audit.SharePoint'] });
    em.setChaos({ lateBlob: 0 });
    const listed = await list('Audit.SharePoint');
    assert.equal(listed.length, 1);
    const age = Date.now() - Date.parse((listed[0] as Listed).contentCreated);
    assert.equal(age >= 30 * 60_000 && age <= 2 * 3_600_000 + 60_000, true, `age ${age} ms`);
    assert.equal(em.stats().injected.late, 1);
  });

  it('foreignContentUri lists contentUris on localhost instead of 127.0.0.1', async () => {
    em.setChaos({ foreignContentUri: 1 });
    em.publish(TENANT_A, 'Audit.General', records('foreign', 1));
    em.setChaos({ foreignContentUri: 0 });
    const [item] = await list('Audit.General');
    const uri = new URL(item?.contentUri ?? 'https://missing/');
    assert.equal(uri.host, `localhost:${new URL(em.url).port}`);
  });

  it('transientError fails requests with 500 AF50000, 503 or 408, on the API and the token endpoint', async () => {
    em.setChaos({ transientError: 1 });
    const statuses = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await client.get(client.api(TENANT_A, 'subscriptions/list'), token);
      statuses.add(res.status);
      if (res.status === 500)
        assert.deepEqual([errorCode(res), errorMessage(res)], ['AF50000', 'An internal error occurred.  Retry the request.']);
    }
    const tokenRes = await client.postForm(`/${TENANT_A}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: APP_A,
      client_secret: SECRET_A,
      scope: 'https://manage.office.com/.default',
    });
    em.setChaos({ transientError: 0 });
    assert.deepEqual(
      [...statuses].filter((s) => ![500, 503, 408].includes(s)),
      [],
    );
    assert.equal(statuses.size > 1, true, `several kinds of fault: ${[...statuses].join(',')}`);
    assert.equal([500, 503, 408].includes(tokenRes.status), true);
    const injected = em.stats().injected;
    assert.equal((injected.transient500 ?? 0) + (injected.transient503 ?? 0) + (injected.transient408 ?? 0), 13);
  });

  it('throttle answers 403 AF429 naming the method and publisher, or 429 with Retry-After', async () => {
    em.setChaos({ throttle: 1, throttleStatus: 403 });
    const r403 = await client.get(client.api(TENANT_A, `subscriptions/list?PublisherIdentifier=${TENANT_A}`), token);
    assert.deepEqual(
      [r403.status, errorCode(r403), errorMessage(r403)],
      [403, 'AF429', `Too many requests. Method=ListSubscriptions, PublisherId=${TENANT_A}`],
    );
    em.setChaos({ throttleStatus: 429 });
    const r429 = await client.get(client.api(TENANT_A, 'subscriptions/content?contentType=Audit.General'), token);
    em.setChaos({ throttle: 0, throttleStatus: 403 });
    assert.deepEqual([r429.status, errorCode(r429), r429.headers['retry-after']], [429, 'AF429', '1']);
    assert.match(errorMessage(r429), /Method=ListContent, PublisherId=00000000-0000-0000-0000-000000000000$/);
  });

  it('applies a per-PublisherIdentifier quota (calls without it share the all-zeros pool)', async () => {
    em.setChaos({ publisherQuotaPerMinute: 2 });
    const call = (pub?: string) =>
      client.get(client.api(TENANT_A, `subscriptions/list${pub ? `?PublisherIdentifier=${pub}` : ''}`), token);
    const a = [await call('pub-a'), await call('pub-a'), await call('pub-a')].map((r) => r.status);
    const b = (await call('PUB-B')).status;
    const none = [await call(), await call(), await call()].map((r) => r.status);
    em.setChaos({ publisherQuotaPerMinute: 60_000 });
    assert.deepEqual(a, [200, 200, 403]);
    assert.equal(b, 200);
    assert.deepEqual(none, [200, 200, 403]);
    assert.equal(em.stats().quotaThrottled, 2);
  });

  it('slowResponse delays responses (counted, not timed)', async () => {
    em.setChaos({ slowResponse: 1, slowResponseMs: 50 });
    const res = await client.get(client.api(TENANT_A, 'subscriptions/list'), token);
    em.setChaos({ slowResponse: 0 });
    assert.equal(res.status, 200);
    assert.equal(em.stats().injected.slow, 1);
  });

  it('truncatedBlob cuts the body mid-way and destroys the socket', async () => {
    const [id] = em.publish(TENANT_A, 'Audit.Exchange', records('trunc', 50));
    em.setChaos({ truncatedBlob: 1 });
    let failed = false;
    try {
      const res = await request(client.api(TENANT_A, `audit/${id ?? ''}`), {
        dispatcher: client.dispatcher,
        headers: { authorization: `Bearer ${token}` },
      });
      JSON.parse(await res.body.text());
    } catch {
      failed = true;
    }
    em.setChaos({ truncatedBlob: 0 });
    assert.equal(failed, true, 'reading a truncated blob must fail');
    assert.equal(em.stats().injected.truncated, 1);
    assert.equal((await blob(id ?? '')).length, 50, 'the same blob is whole again without chaos');
  });
  it('blobRedirect answers 302 to the blob on the API host or on the foreign host; the redirected request is served', async () => {
    const [id] = em.publish(TENANT_A, 'Audit.Exchange', records('redir', 2));
    em.setChaos({ blobRedirect: 1, blobRedirectTarget: 'foreign-host' });
    const away = await client.get(client.api(TENANT_A, `audit/${id ?? ''}`), token);
    em.setChaos({ blobRedirectTarget: 'api-host' });
    const home = await client.get(client.api(TENANT_A, `audit/${id ?? ''}`), token);
    assert.equal(away.status, 302);
    assert.match(away.headers.location ?? '', /^https:\/\/localhost:\d+\/api\/v1\.0\/.*\?redirected=1$/);
    assert.equal(home.status, 302);
    assert.ok((home.headers.location ?? '').startsWith(`${em.url}/api/v1.0/`));
    const served = await client.get(home.headers.location ?? '', token);
    em.setChaos({ blobRedirect: 0 });
    assert.deepEqual(
      (served.json as AuditRecord[]).map((r) => r.Id),
      ['redir-0', 'redir-1'],
    );
    assert.equal(em.stats().injected.redirectForeign, 1);
    assert.equal(em.stats().injected.redirectApiHost, 1);
  });

  it('nonObjectElement stores a string or null element in the blob, every download has it', async () => {
    em.setChaos({ nonObjectElement: 1 });
    const [id] = em.publish(TENANT_A, 'Audit.Exchange', records('junk', 3));
    em.setChaos({ nonObjectElement: 0 });
    const body = (await blob(id ?? '')) as unknown[];
    assert.equal(body.length, 4);
    assert.equal(body.filter((e) => e === null || e === 'not a record').length, 1);
    assert.deepEqual(await blob(id ?? ''), body);
    assert.ok(!em.publishedIds(TENANT_A).has('null'), 'the ground truth holds records only');
  });

  it('listing entries can lack contentExpiration or contentUri; badNextPageBefore breaks the NextPageUri of old windows', async () => {
    em.publish(TENANT_A, 'Audit.General', records('fields', 2));
    em.setChaos({ listingWithoutExpiration: 1, listingWithoutContentUri: 1 });
    const entries = (await list('Audit.General')) as unknown as Record<string, unknown>[];
    em.setChaos({ listingWithoutExpiration: 0, listingWithoutContentUri: 0 });
    assert.ok(entries.length > 0);
    assert.ok(entries.every((e) => !('contentExpiration' in e) && !('contentUri' in e) && typeof e.contentId === 'string'));

    const small = await startEmulator({
      seed: 5,
      pageSize: 1,
      tenants: [{ tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] }],
    });
    const other = new TestClient(small);
    try {
      const t = await other.token();
      await other.post(other.api(TENANT_A, 'subscriptions/start?contentType=Audit.General'), t);
      small.publish(TENANT_A, 'Audit.General', records('p1', 1));
      small.publish(TENANT_A, 'Audit.General', records('p2', 1));
      small.setChaos({ badNextPageBefore: Date.now() + 3_600_000 });
      await new Promise((r) => setTimeout(r, 5));
      const first = await other.get(other.api(TENANT_A, 'subscriptions/content?contentType=Audit.General'), t);
      const next = await other.get(first.headers.nextpageuri ?? '', t);
      assert.equal(next.status, 400);
      assert.equal(errorCode(next), 'AF20031');
    } finally {
      await other.close();
      await small.stop();
    }
  });

  it('echoCredentials and apiErrorEcho put the client secret and the bearer token in error bodies', async () => {
    em.setChaos({ echoCredentials: true });
    const bad = await client.postForm(`/${TENANT_A}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: APP_A,
      client_secret: 'echoed-wrong-secret',
      scope: 'https://manage.office.com/.default',
    });
    em.setChaos({ echoCredentials: false, apiErrorEcho: 1 });
    const echoed = await client.get(client.api(TENANT_A, 'subscriptions/list'), token);
    em.setChaos({ apiErrorEcho: 0 });
    assert.equal(bad.status, 401);
    assert.match(
      String((bad.json as { error_description?: string }).error_description),
      /AADSTS7000215: .*client_secret=echoed-wrong-secret/,
    );
    assert.equal(echoed.status, 400);
    assert.ok(errorMessage(echoed).includes(`Authorization: Bearer ${token}`));
  });
});
