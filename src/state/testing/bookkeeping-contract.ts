import assert from 'node:assert/strict';
import type { StateStore, StreamKey } from '../state-store.ts';

/**
 * The same checks for every StateStore: listing origin, failed listing windows, ledger lookups, reconciliation reports, and
 * secrets scrubbed from stored error text. `key` must be registered (and leased, for PostgreSQL) by the caller.
 */
export async function checkCollectionBookkeeping(store: StateStore, key: StreamKey, secret: string): Promise<void> {
  const now = Date.now();
  assert.equal((await store.getStream(key)).listedFrom, undefined);
  await store.setListedFrom(key, 500);
  await store.setListedFrom(key, 900);
  assert.equal((await store.getStream(key)).listedFrom, 500, 'the first origin is kept');
  await store.recordWindowFailure(
    key,
    { start: 1000, end: 2000 },
    { error: 'AF20031: bad page', nextAttemptAt: now + 5, at: now },
  );
  await store.recordWindowFailure(
    key,
    { start: 1000, end: 2500 },
    { error: `HTTP 500 ${secret}`, nextAttemptAt: now + 9, at: now + 1 },
  );
  await store.recordWindowFailure(key, { start: 3000, end: 4000 }, { error: 'timeout', nextAttemptAt: now, at: now });
  assert.deepEqual(await store.failedWindows(key), [
    { start: 1000, end: 2500, attempts: 2, nextAttemptAt: now + 9, error: 'HTTP 500 [redacted]', firstFailedAt: now },
    { start: 3000, end: 4000, attempts: 1, nextAttemptAt: now, error: 'timeout', firstFailedAt: now },
  ]);
  let health = (await store.streamHealth()).find((h) => h.contentType === key.contentType && h.tenantId === key.tenantId);
  assert.deepEqual(health?.failedWindows, { count: 2, oldestStart: 1000, error: 'timeout' });
  await store.clearWindowFailures(key, 3000, 4000);
  await store.clearWindowFailures(key, 1500, 2500);
  assert.deepEqual(
    (await store.failedWindows(key)).map((w) => w.start),
    [1000],
    'only windows lying inside the span are cleared',
  );
  await store.clearWindowFailures(key, 0, 10_000);
  assert.deepEqual(await store.failedWindows(key), []);

  await store.enqueueBlobs(
    key,
    [
      { contentId: 'l1', contentUri: 'https://x/l1', contentCreated: 10, expiration: now + 60_000 },
      { contentId: 'l2', contentUri: 'https://x/l2', contentCreated: 20, expiration: now + 60_000 },
    ],
    now,
  );
  await store.recordBlobFailure(key, 'l2', { error: `redirected; token ${secret}`, nextAttemptAt: now, quarantine: true });
  const ledger = await store.ledgerEntries(key, ['l1', 'l2', 'never']);
  assert.deepEqual(Object.fromEntries(ledger), {
    l1: { state: 'pending', contentCreated: 10 },
    l2: { state: 'quarantined', contentCreated: 20, lastError: 'redirected; token [redacted]' },
  });

  const report = { at: now, listed: 9, missing: 1, undelivered: 2, unlistedWindows: 3, examples: [`l2: ${secret}`, 'w'] };
  await store.recordReconciliation(key, report);
  await store.recordReconciliation(key, { ...report, listed: 10 });
  health = (await store.streamHealth()).find((h) => h.contentType === key.contentType && h.tenantId === key.tenantId);
  assert.deepEqual(health?.reconciliation, { ...report, listed: 10, examples: ['l2: [redacted]', 'w'] });
  assert.equal(health?.quarantineReason, 'redirected; token [redacted]');

  await store.recordPoll(key, now, { code: 'invalid_client', message: `AADSTS7000215 client_secret=${secret}` });
  health = (await store.streamHealth()).find((h) => h.contentType === key.contentType && h.tenantId === key.tenantId);
  assert.equal(health?.lastError?.message, 'AADSTS7000215 client_secret=[redacted]');
}
