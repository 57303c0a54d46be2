import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchTenant, startEmulatorProcess } from '../bench/support/emulator-process.ts';
import { planWindows } from '../src/collector/window-planner.ts';
import { TestClient } from '../src/emulator/test-support.ts';
import { formatApiTime } from '../src/management-api/management-api-client.ts';

// The memory bench's collector lists with `listing_delay: 0s` (bench/support/raw-collector-config.ts). A huge blob
// created at the moment the emulator process became ready fell, whenever the collector's first listing came in the
// same second, at or after that listing's end (window ends are whole seconds): it was fetched by the next poll, 60 s
// later (1 tenant + 20 MB blob: 62 s instead of 2 s).
test('the bench emulator process creates its huge blob with the backlog, so a collector first listing at once finds it', async () => {
  const contentType = 'Audit.AzureActiveDirectory';
  const emulator = await startEmulatorProcess({
    tenants: 1,
    contentTypes: [contentType],
    backlog: 10,
    recordsPerBlob: 10,
    hugeBlobBytes: 100_000,
  });
  const client = new TestClient(emulator);
  try {
    const tenant = benchTenant(0);
    const token = await client.token(tenant.tenantId, tenant.clientId, tenant.secret);
    const api = (path: string) => client.api(tenant.tenantId, path);
    assert.equal((await client.post(api(`subscriptions/start?contentType=${contentType}`), token)).status, 200);
    // The first poll of the bench's collector, planned now: backfill, settle window and window 1 h, no listing delay.
    const windows = planWindows({
      now: Date.now(),
      listedThrough: undefined,
      window: 3_600_000,
      settleWindow: 3_600_000,
      backfill: 3_600_000,
      listingDelay: 0,
    });
    const listed: { contentCreated: string }[] = [];
    for (const w of windows) {
      const url = api(
        `subscriptions/content?contentType=${contentType}&startTime=${formatApiTime(w.start)}&endTime=${formatApiTime(w.end)}`,
      );
      const res = await client.get(url, token);
      assert.equal(res.status, 200, res.text);
      listed.push(...(res.json as { contentCreated: string }[]));
    }
    assert.equal(listed.length, 2, 'the backlog blob and the huge blob, both in the first poll');
    assert.equal(new Set(listed.map((b) => b.contentCreated)).size, 1, 'the huge blob is created with the backlog');
  } finally {
    await client.close();
    await emulator.stop();
  }
});

// The backfill bench (bench/backfill.bench.ts) asks the emulator process for a 7-day history of millions of records.
test('the bench emulator process spreads a history over the past days, in blobs of every content type, within the 7-day limit', async () => {
  const contentTypes = ['Audit.AzureActiveDirectory', 'Audit.Exchange'] as const;
  const emulator = await startEmulatorProcess({
    tenants: 1,
    contentTypes: [...contentTypes],
    backlog: 0,
    history: { records: 20_000, days: 7 },
  });
  const client = new TestClient(emulator);
  try {
    assert.ok(emulator.expected >= 20_000 && emulator.expected < 22_000, `${emulator.expected} records published`);
    const tenant = benchTenant(0);
    const token = await client.token(tenant.tenantId, tenant.clientId, tenant.secret);
    const api = (path: string) => client.api(tenant.tenantId, path);
    const now = Date.now();
    const created: number[] = [];
    for (const contentType of contentTypes) {
      assert.equal((await client.post(api(`subscriptions/start?contentType=${contentType}`), token)).status, 200);
      let blobs = 0;
      for (let day = 7; day >= 1; day--) {
        const start = formatApiTime(now - day * 86_400_000 + 60_000);
        const end = formatApiTime(now - (day - 1) * 86_400_000 + 60_000);
        const res = await client.get(
          api(`subscriptions/content?contentType=${contentType}&startTime=${start}&endTime=${end}`),
          token,
        );
        assert.equal(res.status, 200, res.text);
        const listed = res.json as { contentCreated: string; contentUri: string }[];
        blobs += listed.length;
        created.push(...listed.map((b) => Date.parse(b.contentCreated)));
      }
      assert.ok(blobs >= 8, `${contentType}: ${blobs} blobs`);
    }
    const oldest = Math.min(...created);
    const newest = Math.max(...created);
    assert.ok(oldest > now - 7 * 86_400_000 && oldest < now - 6.9 * 86_400_000, 'the oldest blob is about 7 days old');
    assert.ok(newest > now - 3_600_000, 'the newest blob is recent');
  } finally {
    await client.close();
    await emulator.stop();
  }
});
