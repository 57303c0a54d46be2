import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, toAuditRecord, type EventHubMetadata, type HubPosition } from './to-audit-record.ts';

const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const position: HubPosition = {
  eventHubName: 'insights-logs',
  consumerGroup: 'o365',
  partitionId: '3',
  sequenceNumber: 42,
  offset: '2688',
  enqueuedTime: new Date('2026-01-02T03:04:05.000Z'),
};

const signIn = {
  time: '2026-01-02T03:00:00.1234567Z',
  resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
  operationName: 'Sign-in activity',
  category: 'SignInLogs',
  tenantId: TENANT,
  resultType: '50126',
  callerIpAddress: '203.0.113.7',
  properties: {
    id: 'f1e2d3c4-0000-1111-2222-333344445555',
    userPrincipalName: 'alice@contoso.com',
    status: { errorCode: 50126 },
  },
};

test('categories route Entra ID sign-ins, audits, other Entra logs, Defender and other Azure Monitor logs', () => {
  assert.equal(classify(signIn).kind, 'entra-signin');
  assert.equal(classify({ category: 'NonInteractiveUserSignInLogs' }).kind, 'entra-signin');
  assert.equal(classify({ category: 'AuditLogs' }).kind, 'entra-audit');
  assert.equal(classify({ category: 'RiskyUsers' }).kind, 'entra');
  assert.equal(classify({ category: 'SomethingNew', resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam` }).kind, 'entra');
  assert.equal(classify({ category: 'AdvancedHunting-DeviceProcessEvents' }).kind, 'defender');
  assert.equal(classify({ category: 'StorageRead' }).kind, 'azure-monitor');
  assert.equal(
    classify({ Id: 'x', Operation: 'FileAccessed', CreationTime: '2026-01-01T00:00:00', RecordType: 6 }).kind,
    'audit-record',
  );
  assert.equal(classify({ hello: 'world' }).kind, 'other');
});

test('an Entra sign-in keeps every original key and gains Id, CreationTime, OrganizationId and metadata', () => {
  const record = toAuditRecord({ ok: true, record: signIn, sanitized: false }, position, 5);
  for (const [key, value] of Object.entries(signIn)) assert.deepEqual(record[key], value, key);
  assert.equal(record.Id, 'SignInLogs/f1e2d3c4-0000-1111-2222-333344445555');
  assert.equal(record.CreationTime, signIn.time);
  assert.equal(record.OrganizationId, TENANT);
  assert.deepEqual(record.EventHub, {
    kind: 'entra-signin',
    category: 'SignInLogs',
    eventHubName: 'insights-logs',
    consumerGroup: 'o365',
    partitionId: '3',
    sequenceNumber: 42,
    offset: '2688',
    enqueuedTime: '2026-01-02T03:04:05.000Z',
    index: 5,
  } satisfies EventHubMetadata);
});

test('records without an id of their own get the stable hub/partition/sequence/index id', () => {
  const defender = {
    time: '2026-01-02T03:00:00Z',
    tenantId: TENANT,
    category: 'AdvancedHunting-DeviceInfo',
    properties: { DeviceId: 'd1' },
  };
  const first = toAuditRecord({ ok: true, record: defender, sanitized: false }, position, 0);
  const again = toAuditRecord({ ok: true, record: { ...defender }, sanitized: false }, position, 0);
  const next = toAuditRecord({ ok: true, record: defender, sanitized: false }, position, 1);
  assert.equal(first.Id, 'insights-logs/3/42/0');
  assert.equal(again.Id, first.Id);
  assert.equal(next.Id, 'insights-logs/3/42/1');
  assert.equal((first.EventHub as EventHubMetadata).kind, 'defender');
});

test('an O365 record forwarded through a hub keeps its own Id and fields', () => {
  const o365 = {
    Id: 'abc',
    Operation: 'FileAccessed',
    CreationTime: '2026-01-01T00:00:00',
    RecordType: 6,
    OrganizationId: TENANT,
  };
  const record = toAuditRecord({ ok: true, record: o365, sanitized: true }, position, 0);
  assert.equal(record.Id, 'abc');
  assert.equal(record.CreationTime, '2026-01-01T00:00:00');
  assert.equal((record.EventHub as EventHubMetadata).kind, 'audit-record');
  assert.equal((record.EventHub as EventHubMetadata).sanitized, true);
});

test('an invalid payload becomes a flagged raw record timed at its enqueued time', () => {
  const record = toAuditRecord(
    { ok: false, raw: 'garbage', code: 'EVENTHUB_INVALID_JSON', message: 'not valid JSON: x' },
    position,
    0,
  );
  assert.equal(record.Id, 'insights-logs/3/42/0');
  assert.equal(record.RawMessage, 'garbage');
  assert.equal(record.CreationTime, '2026-01-02T03:04:05.000Z');
  const meta = record.EventHub as EventHubMetadata;
  assert.equal(meta.kind, 'invalid');
  assert.deepEqual(meta.error, { code: 'EVENTHUB_INVALID_JSON', message: 'not valid JSON: x' });
});
