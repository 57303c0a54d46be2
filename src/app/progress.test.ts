import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectorMetrics } from '../collector/metrics.ts';
import { count, describeProgress, readProgress } from './progress.ts';

test('progress: per-tenant totals from the collector metrics, event rate, and an ETA from the blob rate', async () => {
  const a = { tenant: 'progress-a', content_type: 'Audit.Exchange' };
  const b = { tenant: 'progress-b', content_type: 'Audit.SharePoint' };
  collectorMetrics.windowsListed.inc(a, 24);
  collectorMetrics.blobsListed.inc(a, 100);
  collectorMetrics.blobsFetched.inc(a, 40);
  collectorMetrics.queueDepth.set(a, 60);
  collectorMetrics.eventsDelivered.inc(a, 4_000);
  collectorMetrics.blobsListed.inc(b, 5);
  collectorMetrics.blobsFetched.inc(b, 5);
  collectorMetrics.queueDepth.set(b, 0);
  const before = (await readProgress()).filter((t) => t.tenant.startsWith('progress-'));
  assert.deepEqual(
    before.find((t) => t.tenant === 'progress-a'),
    {
      tenant: 'progress-a',
      windowsListed: 24,
      blobsListed: 100,
      blobsFetched: 40,
      blobsQueued: 60,
      eventsDelivered: 4_000,
    },
  );

  collectorMetrics.blobsFetched.inc(a, 20);
  collectorMetrics.queueDepth.set(a, 40);
  collectorMetrics.eventsDelivered.inc(a, 2_000);
  const after = (await readProgress()).filter((t) => t.tenant.startsWith('progress-'));
  const line = describeProgress(after, before, 10_000);
  assert.match(
    line,
    /^2 tenant\(s\): 24 windows listed, 105 blobs listed, 65 fetched, 40 queued, 6,000 events delivered \(200\/s\), ETA 20s/,
  );
  assert.match(line, /— progress-a 40 queued$/, 'only the tenants still catching up are named');

  collectorMetrics.queueDepth.set(a, 0);
  const done = (await readProgress()).filter((t) => t.tenant.startsWith('progress-'));
  assert.match(describeProgress(done, after, 10_000), /caught up$/);
});

test('counts are written with thousands separators, as en-US writes them, without ICU', () => {
  for (const n of [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, 123_456_789, 9_007_199_254_740_991, 1_234.6, -4_321])
    assert.equal(count(n), Math.round(n).toLocaleString('en-US'), String(n));
});
