import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startEmulator } from './emulator.ts';
import { APP_A, SECRET_A, TENANT_A, TestClient } from './test-support.ts';
import type { Emulator } from './types.ts';

const HUGE_BYTES = 100 * 1024 * 1024;

describe('huge blob', () => {
  let em: Emulator;
  let client: TestClient;
  let token: string;

  before(async () => {
    em = await startEmulator({ seed: 5, tenants: [{ tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] }] });
    client = new TestClient(em);
    token = await client.token();
    await client.post(client.api(TENANT_A, 'subscriptions/start?contentType=Audit.SharePoint'), token);
  });
  after(async () => {
    await client.close();
    await em.stop();
  });

  it('streams ≥100 MB of records without holding the blob in memory', async (t) => {
    em.setChaos({ hugeBlobBytes: HUGE_BYTES });
    em.generate(TENANT_A, 5, { contentTypes: ['Audit.SharePoint'] });
    const truth = em.publishedIds(TENANT_A);
    // Publishing keeps only the Ids (the ground truth); the body is generated while it is sent.
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const listed = (await client.get(client.api(TENANT_A, 'subscriptions/content?contentType=Audit.SharePoint'), token))
        .json as { contentId: string }[];
      assert.equal(listed.length, 2, 'the huge blob and the regular one');
      const hugeId = listed[0]?.contentId ?? '';

      const res = await request(client.api(TENANT_A, `audit/${hugeId}`), {
        dispatcher: client.dispatcher,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.statusCode, 200);
      let bytes = 0;
      let first = '';
      let tail = '';
      let ids = 0;
      let carry = '';
      for await (const chunk of res.body) {
        const text = (chunk as Buffer).toString('utf8');
        if (bytes === 0) first = text.slice(0, 1);
        bytes += (chunk as Buffer).length;
        const scan = carry + text;
        ids += (scan.match(/"Id":"[0-9a-f-]{36}"/g) ?? []).length;
        carry = scan.slice(-60).replace(/^.*"Id":"[0-9a-f-]{36}"/s, '');
        tail = (tail + text).slice(-2);
        peak = Math.max(peak, process.memoryUsage().rss);
      }
      assert.equal(first, '[');
      assert.equal(tail, '}]');
      assert.equal(bytes >= HUGE_BYTES, true, `${bytes} bytes`);
      assert.equal(ids, truth.size - 5, 'every record of the huge blob is in the ground truth');
      assert.equal(em.stats().injected.huge, 1);
    } finally {
      clearInterval(sampler);
    }
    const growth = peak - rssBefore;
    t.diagnostic(`RSS growth while streaming: ${Math.round(growth / 1048576)} MB`);
    assert.equal(
      growth < HUGE_BYTES / 2,
      true,
      `RSS grew by ${Math.round(growth / 1048576)} MB while serving a ${HUGE_BYTES / 1048576} MB blob`,
    );
  });
});
