import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../core/audit-record.ts';
import { startEmulator } from './emulator.ts';
import { APP_A, SECRET_A, TENANT_A, TENANT_B, TestClient, errorCode, testClock } from './test-support.ts';
import type { Emulator } from './types.ts';

interface Listed {
  contentUri: string;
  contentId: string;
  contentType: string;
  contentCreated: string;
  contentExpiration: string;
}

const DAY = 86_400_000;

describe('emulated Activity API: content listing, paging and blobs', () => {
  const clock = testClock(Date.parse('2026-06-01T12:00:00.000Z'));
  let em: Emulator;
  let client: TestClient;
  let token: string;

  before(async () => {
    em = await startEmulator({
      seed: 3,
      now: clock.now,
      pageSize: 1,
      retentionMs: 2 * DAY,
      tenants: [
        { tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
        { tenantId: TENANT_B, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
      ],
    });
    client = new TestClient(em);
    token = await client.token();
    for (const ct of ['Audit.SharePoint', 'Audit.General', 'Audit.Exchange']) {
      assert.equal((await client.post(client.api(TENANT_A, `subscriptions/start?contentType=${ct}`), token)).status, 200);
    }
  });
  after(async () => {
    await client.close();
    await em.stop();
  });

  async function listAll(url: string): Promise<{ items: Listed[]; pages: number; nextUris: string[] }> {
    const items: Listed[] = [];
    const nextUris: string[] = [];
    let next: string | undefined = url;
    let pages = 0;
    while (next && pages < 50) {
      const res = await client.get(next, token);
      assert.equal(res.status, 200, res.text);
      items.push(...(res.json as Listed[]));
      pages++;
      next = res.headers.nextpageuri;
      if (next) nextUris.push(next);
    }
    return { items, pages, nextUris };
  }

  it('lists blobs by contentCreated in [start, end) with realistic fields, paging with NextPageUri', async () => {
    const t0 = clock.now();
    const records: AuditRecord[] = Array.from({ length: 5 }, (_, i) => ({
      Id: `rec-${i}`,
      RecordType: 6,
      Operation: 'FileAccessed',
    }));
    const ids = em.publish(TENANT_A, 'Audit.SharePoint', records, { recordsPerBlob: 2 });
    assert.equal(ids.length, 3);
    em.publish(TENANT_A, 'Audit.SharePoint', [{ Id: 'at-end', RecordType: 6 }], { contentCreated: t0 + 3_600_000 });
    clock.advance(1000);

    const start = new Date(t0 - 60_000).toISOString();
    const end = new Date(t0 + 3_600_000).toISOString();
    const { items, pages, nextUris } = await listAll(
      client.api(
        TENANT_A,
        `subscriptions/content?contentType=Audit.SharePoint&startTime=${start}&endTime=${end}&PublisherIdentifier=${TENANT_A}`,
      ),
    );
    assert.deepEqual(
      items.map((i) => i.contentId),
      ids,
      'the blob created exactly at endTime is excluded',
    );
    assert.equal(pages, 3);
    for (const uri of nextUris) {
      const u = new URL(uri);
      assert.equal(`${u.protocol}//${u.host}`, em.url);
      assert.equal(u.searchParams.get('contentType'), 'Audit.SharePoint');
      assert.equal(u.searchParams.get('startTime'), start);
      assert.equal(u.searchParams.get('endTime'), end);
      assert.match(u.searchParams.get('nextPage') ?? '', /^\d{10}R\d{12}$/);
    }
    const first = items[0] as Listed;
    assert.deepEqual(Object.keys(first), ['contentUri', 'contentId', 'contentType', 'contentCreated', 'contentExpiration']);
    assert.equal(first.contentUri, `${em.url}/api/v1.0/${TENANT_A}/activity/feed/audit/${first.contentId}`);
    assert.match(first.contentId, /^\d{23}\$\d{23}\$audit_sharepoint\$Audit_SharePoint\$[a-z]+\d{4}$/);
    assert.equal(first.contentCreated, new Date(t0).toISOString());
    assert.equal(Date.parse(first.contentExpiration) - Date.parse(first.contentCreated), 2 * DAY);

    const blob = await client.get(first.contentUri, token);
    assert.equal(blob.status, 200);
    assert.equal(blob.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(blob.json, records.slice(0, 2));
  });

  it('fills in the 24 h default window in NextPageUri when times are omitted', async () => {
    em.publish(TENANT_A, 'Audit.General', [{ Id: 'g1' }, { Id: 'g2' }], { recordsPerBlob: 1 });
    clock.advance(1000);
    const res = await client.get(client.api(TENANT_A, 'subscriptions/content?contentType=Audit.General'), token);
    const next = new URL(res.headers.nextpageuri ?? 'https://missing/');
    assert.equal(Date.parse(next.searchParams.get('endTime') ?? '') - Date.parse(next.searchParams.get('startTime') ?? ''), DAY);
  });

  it('rejects bad nextPage values with AF20031 and window errors with AF20055/AF20002 over HTTP', async () => {
    const base = client.api(TENANT_A, 'subscriptions/content?contentType=Audit.SharePoint');
    const bad = await client.get(`${base}&nextPage=2015101900R022885001761`, token);
    assert.deepEqual([bad.status, errorCode(bad)], [400, 'AF20031']);
    const tooOld = new Date(clock.now() - 8 * DAY).toISOString();
    assert.equal(
      errorCode(
        await client.get(`${base}&startTime=${tooOld}&endTime=${new Date(clock.now() - 8 * DAY + 60_000).toISOString()}`, token),
      ),
      'AF20055',
    );
    assert.equal(errorCode(await client.get(`${base}&startTime=2026-06-01`, token)), 'AF20055');
    assert.equal(errorCode(await client.get(`${base}&startTime=soon&endTime=later`, token)), 'AF20002');
  });

  it('can use the NextPageUrl spelling instead', async () => {
    em.setChaos({ nextPageUrlSpelling: true });
    try {
      const res = await client.get(client.api(TENANT_A, 'subscriptions/content?contentType=Audit.General'), token);
      assert.equal(res.headers.nextpageuri, undefined);
      assert.match(res.headers.nextpageurl ?? '', /nextPage=/);
    } finally {
      em.setChaos({ nextPageUrlSpelling: false });
    }
  });

  it('answers blob errors: AF20052 malformed id, AF20050 unknown or other tenant, AF20051 expired', async () => {
    const malformed = await client.get(client.api(TENANT_A, 'audit/not-a-content-id'), token);
    assert.deepEqual([malformed.status, errorCode(malformed)], [400, 'AF20052']);
    const unknown = await client.get(
      client.api(TENANT_A, 'audit/20260601000000000000000$20260601000000000000000$audit_exchange$Audit_Exchange$na0017'),
      token,
    );
    assert.deepEqual([unknown.status, errorCode(unknown)], [404, 'AF20050']);
    const [otherTenantBlob] = em.publish(TENANT_B, 'Audit.Exchange', [{ Id: 'b1' }]);
    assert.equal(errorCode(await client.get(client.api(TENANT_A, `audit/${otherTenantBlob ?? ''}`), token)), 'AF20050');
    const [old] = em.publish(TENANT_A, 'Audit.Exchange', [{ Id: 'old-1' }], { contentCreated: clock.now() - 3 * DAY });
    const expired = await client.get(client.api(TENANT_A, `audit/${old ?? ''}`), token);
    assert.deepEqual([expired.status, errorCode(expired)], [400, 'AF20051']);
    const encoded = await client.get(
      client.api(TENANT_A, `audit/${encodeURIComponent(em.publish(TENANT_A, 'Audit.Exchange', [{ Id: 'enc' }])[0] ?? '')}`),
      token,
    );
    assert.equal(encoded.status, 200, 'a %24-encoded contentId is accepted');
  });

  it('keeps the ground truth per tenant: distinct Ids of every listable published record', () => {
    const a = em.publishedIds(TENANT_A);
    for (const id of ['rec-0', 'rec-4', 'at-end', 'g1', 'old-1', 'enc']) assert.equal(a.has(id), true, id);
    assert.equal(a.has('b1'), false);
    assert.deepEqual([...em.publishedIds(TENANT_B)], ['b1']);
    em.generate(TENANT_B, 300);
    assert.equal(em.publishedIds(TENANT_B).size, 301);
  });
});

describe('emulator memory bound', () => {
  it('evicts the oldest blob bodies beyond maxStoredBytes; they then answer AF20051', async () => {
    const em = await startEmulator({
      seed: 9,
      maxStoredBytes: 3000,
      tenants: [{ tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] }],
    });
    const client = new TestClient(em);
    try {
      const token = await client.token();
      const big = (p: string): AuditRecord[] =>
        Array.from({ length: 10 }, (_, i) => ({ Id: `${p}-${i}`, Padding: 'x'.repeat(100) }));
      const [oldest] = em.publish(TENANT_A, 'Audit.Exchange', big('a'));
      em.publish(TENANT_A, 'Audit.Exchange', big('b'));
      const [newest] = em.publish(TENANT_A, 'Audit.Exchange', big('c'));
      const evicted = await client.get(client.api(TENANT_A, `audit/${oldest ?? ''}`), token);
      assert.deepEqual([evicted.status, errorCode(evicted)], [400, 'AF20051']);
      assert.equal((await client.get(client.api(TENANT_A, `audit/${newest ?? ''}`), token)).status, 200);
      assert.equal(em.stats().injected.evicted, 1);
    } finally {
      await client.close();
      await em.stop();
    }
  });
});
