import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRecord } from '../../core/audit-record.ts';
import { Rng } from '../rng.ts';
import {
  contentTypeOfKind,
  createTenantContext,
  generateRecord,
  generateRecords,
  generateScenario,
  RECORD_KINDS,
  SCENARIOS,
  UnknownRecordKindError,
} from './index.ts';

const TENANT = createTenantContext('6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b', { name: 'contoso' });
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AT = Date.parse('2026-05-04T10:20:30.456Z');

const RECORD_TYPES_BY_CONTENT_TYPE: Record<string, number[]> = {
  'Audit.AzureActiveDirectory': [8, 15],
  'Audit.Exchange': [1, 2, 3, 50],
  'Audit.SharePoint': [6, 14],
  'Audit.General': [20, 22, 25, 28, 40, 41, 47, 64, 66, 78, 98, 261, 284, 294],
  'DLP.All': [11, 13],
};

function params(record: AuditRecord): Record<string, string> {
  return Object.fromEntries((record.Parameters as { Name: string; Value: string }[]).map((p) => [p.Name, p.Value]));
}

describe('record generator', () => {
  it('builds every kind with the common schema and the right RecordType for its content type', () => {
    const rng = new Rng(11);
    for (const kind of RECORD_KINDS) {
      for (let i = 0; i < 20; i++) {
        const r = generateRecord(kind, rng, TENANT, AT);
        assert.match(String(r.Id), GUID, kind);
        assert.equal(r.CreationTime, '2026-05-04T10:20:30', kind);
        assert.equal(r.Version, 1, kind);
        assert.equal(r.OrganizationId, TENANT.tenantId, kind);
        assert.equal(typeof r.Operation, 'string', kind);
        assert.equal(typeof r.Workload, 'string', kind);
        assert.equal(typeof r.UserType, 'number', kind);
        assert.equal(
          RECORD_TYPES_BY_CONTENT_TYPE[contentTypeOfKind(kind)]?.includes(Number(r.RecordType)),
          true,
          `${kind} → RecordType ${String(r.RecordType)}`,
        );
        assert.doesNotThrow(() => JSON.parse(JSON.stringify(r)));
      }
    }
    assert.throws(() => generateRecord('nope', rng, TENANT), UnknownRecordKindError);
  });

  it('is reproducible from a seed', () => {
    const a = generateRecords(300, new Rng(42), TENANT, { at: AT });
    const b = generateRecords(300, new Rng(42), TENANT, { at: AT });
    const c = generateRecords(300, new Rng(43), TENANT, { at: AT });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('produces a varied mix with real-data quirks', () => {
    const items = generateRecords(4000, new Rng(7), TENANT, { at: AT });
    const records = items.map((i) => i.record);
    const recordTypes = new Set(records.map((r) => r.RecordType));
    for (const rt of [1, 2, 3, 6, 8, 11, 13, 14, 15, 20, 22, 25, 28, 40, 41, 47, 50, 64, 66, 98])
      assert.equal(recordTypes.has(rt), true, `RecordType ${rt} present`);
    assert.equal(new Set(items.map((i) => i.contentType)).size, 5);
    const ips = records.map((r) => r.ClientIP).filter((ip): ip is string => typeof ip === 'string');
    assert.equal(
      ips.some((ip) => /^\d+\.\d+\.\d+\.\d+:\d+$/.test(ip)),
      true,
      'IPv4 with port',
    );
    assert.equal(
      ips.some((ip) => /^\[[0-9a-f:]+\]:\d+$/.test(ip)),
      true,
      'bracketed IPv6 with port',
    );
    const failed = records.filter((r) => r.Operation === 'UserLoginFailed');
    assert.equal(failed.length > 0, true);
    for (const r of failed) {
      assert.equal(['Success', 'Succeeded'].includes(String(r.ResultStatus)), true, 'failed logons still say Success');
      assert.match(String(r.ErrorNumber), /^\d+$/, 'ErrorNumber is a string of digits');
      assert.equal(typeof r.LogonError, 'string');
      const ext = r.ExtendedProperties as { Name: string; Value: string }[];
      assert.equal(
        ext.some((p) => p.Name === 'UserAgent'),
        true,
      );
      assert.equal(Array.isArray(r.DeviceProperties), true);
    }
    const cmdlets = records.filter((r) => r.RecordType === 1);
    assert.equal(
      cmdlets.every((r) => ['True', 'False'].includes(String(r.ResultStatus)) && Array.isArray(r.Parameters)),
      true,
    );
  });

  it('has demo scenarios that look like attacks', () => {
    const rng = new Rng(5);
    const spray = generateScenario(rng, TENANT, AT, 'password-spray').map((s) => s.record);
    const failures = spray.filter((r) => r.Operation === 'UserLoginFailed');
    assert.equal(failures.length, TENANT.users.length);
    assert.equal(new Set(failures.map((r) => r.UserId)).size, TENANT.users.length, 'one attempt per user');
    assert.equal(new Set(spray.map((r) => r.ClientIP)).size, 1, 'all from one IP');
    assert.equal(
      failures.every((r) => r.ErrorNumber === '50126'),
      true,
    );
    assert.equal(spray.at(-1)?.Operation, 'UserLoggedIn', 'ends with a success');

    const rule = generateScenario(rng, TENANT, AT, 'inbox-rule-forwarding')[0]?.record as AuditRecord;
    assert.equal(rule.Operation, 'New-InboxRule');
    assert.equal(params(rule).ForwardTo?.endsWith(TENANT.domain), false, 'forwards outside the tenant');

    const role = generateScenario(rng, TENANT, AT, 'global-admin-granted')[0]?.record as AuditRecord;
    assert.equal(role.Operation, 'Add member to role.');
    assert.equal(
      (role.ModifiedProperties as { Name: string; NewValue: string }[]).some(
        (p) => p.Name === 'Role.DisplayName' && p.NewValue === 'Global Administrator',
      ),
      true,
    );

    const audit = generateScenario(rng, TENANT, AT, 'audit-disabled')[0]?.record as AuditRecord;
    assert.equal(params(audit).UnifiedAuditLogIngestionEnabled, 'False');

    const downloads = generateScenario(rng, TENANT, AT, 'mass-download').map((s) => s.record);
    assert.equal(downloads.length >= 50 && downloads.every((r) => r.Operation === 'FileDownloaded'), true);
    assert.equal(new Set(downloads.map((r) => r.UserId)).size, 1);

    for (const scenario of SCENARIOS)
      assert.equal(generateScenario(rng, TENANT, AT, scenario.name).length > 0, true, scenario.name);
  });
});
