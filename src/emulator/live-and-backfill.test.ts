import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator } from './emulator.ts';
import { APP_A, SECRET_A, TENANT_A, TENANT_B, TestClient } from './test-support.ts';
import type { Emulator } from './types.ts';

interface Listed {
  contentUri: string;
  contentCreated: string;
}
const HOUR = 3_600_000;

describe('emulator time model: backfill and live ticker', () => {
  let em: Emulator;
  let client: TestClient;
  const startedAt = Date.now();

  before(async () => {
    em = await startEmulator({
      seed: 6,
      backfillMs: 2 * HOUR,
      live: { eventsPerMinute: 60, recordsPerBlob: 1 },
      tenants: [
        { tenantId: TENANT_A, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
        { tenantId: TENANT_B, apps: [{ clientId: APP_A, clientSecret: SECRET_A }] },
      ],
    });
    client = new TestClient(em);
  });
  after(async () => {
    await client.close();
    await em.stop();
  });

  async function listed(token: string, start: number, end: number): Promise<Listed[]> {
    const out: Listed[] = [];
    let next: string | undefined = client.api(
      TENANT_A,
      `subscriptions/content?contentType=Audit.AzureActiveDirectory&startTime=${new Date(start).toISOString()}&endTime=${new Date(end).toISOString()}`,
    );
    for (let page = 0; next && page < 100; page++) {
      const res = await client.get(next, token);
      out.push(...(res.json as Listed[]));
      next = res.headers.nextpageuri;
    }
    return out;
  }

  it('backfills blobs spread over the past hours for every tenant', async () => {
    const token = await client.token();
    await client.post(client.api(TENANT_A, 'subscriptions/start?contentType=Audit.AzureActiveDirectory'), token);
    const blobs = await listed(token, startedAt - 3 * HOUR, startedAt - 1000);
    const hours = new Set(blobs.map((b) => Math.floor((startedAt - Date.parse(b.contentCreated)) / HOUR)));
    assert.deepEqual([...hours].sort(), [0, 1]);
    assert.equal(em.publishedIds(TENANT_B).size > 3000, true, 'the other tenant is backfilled too');
  });

  it('publishes new blobs with contentCreated = now while running', async () => {
    const token = await client.token();
    let fresh: Listed[] = [];
    for (let i = 0; i < 30 && fresh.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      fresh = await listed(token, startedAt, Date.now() + 1000);
    }
    assert.equal(fresh.length > 0, true, 'live blobs appear');
    const blob = await client.get(fresh[0]?.contentUri ?? '', token);
    assert.equal((blob.json as unknown[]).length > 0, true);
  });
});
