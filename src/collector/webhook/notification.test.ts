import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../config/load.ts';
import { parseNotification, WebhookNotificationError } from './notification.ts';

const TENANT_ID = '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b';
const [tenant] = parseConfig({
  tenants: [
    {
      name: 'contoso',
      tenant_id: TENANT_ID,
      client_id: '3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
      client_secret: 's',
      content_types: ['Audit.Exchange', 'Audit.SharePoint'],
      webhook: { address: 'https://hooks.example/o365/contoso' },
    },
  ],
}).tenants;
const ID = '20260101000000000000000$20260101000500000000000$audit_exchange$Audit_Exchange$na0017';
const entry = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  tenantId: TENANT_ID,
  clientId: 'x',
  contentType: 'Audit.Exchange',
  contentId: ID,
  contentUri: `https://manage.office.com/api/v1.0/${TENANT_ID}/activity/feed/audit/${ID}`,
  contentCreated: '2026-01-01T00:05:00.000Z',
  contentExpiration: '2026-01-08T00:05:00.000Z',
  ...overrides,
});
const refused = (body: unknown, pattern: RegExp): void => {
  assert.ok(tenant);
  assert.throws(
    () => parseNotification(body, tenant),
    (err: unknown) => err instanceof WebhookNotificationError && pattern.test(err.message),
  );
};

test('accepts entries of the tenant on its cloud API host, grouped by content type', () => {
  assert.ok(tenant);
  const streams = parseNotification(
    [
      entry(),
      entry({
        contentType: 'audit.sharepoint',
        contentUri: `https://manage.office.com/api/v1/${TENANT_ID}/activity/feed/audit/${ID}`,
      }),
    ],
    tenant,
  );
  assert.deepEqual(
    streams.map((s) => [s.contentType, s.blobs.length]),
    [
      ['Audit.Exchange', 1],
      ['Audit.SharePoint', 1],
    ],
  );
  assert.deepEqual(streams[0]?.blobs[0], {
    contentId: ID,
    contentUri: entry().contentUri,
    contentCreated: Date.parse('2026-01-01T00:05:00.000Z'),
    expiration: Date.parse('2026-01-08T00:05:00.000Z'),
  });
});

test('refuses other tenants, other hosts, other feeds, unconfigured content types and malformed entries', () => {
  refused({}, /not a non-empty JSON array/);
  refused([], /not a non-empty JSON array/);
  refused([entry({ tenantId: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d' })], /is not tenant contoso/);
  refused(
    [entry({ contentUri: `https://manage.office.com.evil.example/api/v1.0/${TENANT_ID}/activity/feed/audit/${ID}` })],
    /is not the API host https:\/\/manage.office.com/,
  );
  refused(
    [entry({ contentUri: `http://manage.office.com/api/v1.0/${TENANT_ID}/activity/feed/audit/${ID}` })],
    /is not the API host/,
  );
  refused(
    [entry({ contentUri: `https://manage.office.com/api/v1.0/0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d/activity/feed/audit/${ID}` })],
    /not a blob of tenant contoso's feed/,
  );
  refused([entry({ contentType: 'DLP.All' })], /DLP.All is not collected/);
  refused([entry(), entry({ contentCreated: 'yesterday' })], /entry 1: contentCreated is not a date/);
  refused([entry({ contentId: 5 })], /entry 0: contentId is missing/);
});

test('an entry without contentExpiration is accepted, its expiry assumed at contentCreated + 7 days', () => {
  assert.ok(tenant);
  const [stream] = parseNotification([entry({ contentExpiration: undefined })], tenant);
  assert.equal(stream?.blobs[0]?.expiration, Date.parse('2026-01-01T00:05:00.000Z') + 7 * 86_400_000);
  refused([entry({ contentExpiration: 'soon' })], /contentExpiration is not a date/);
});
