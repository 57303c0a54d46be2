import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../config/load.ts';
import { createRecordFilter } from './record-filter.ts';

const contoso = { tenantId: 'T-1', tenantName: 'contoso' };
const fabrikam = { tenantId: 'T-2', tenantName: 'fabrikam' };
const rec = (fields: Record<string, unknown>) => ({ Id: 'x', CreationTime: '2024-01-01T00:00:00', ...fields });
const filterOf = (filters: unknown) => createRecordFilter(parseConfig({ filters }).filters);

test('no filter configured: no predicate at all', () => {
  assert.equal(filterOf(undefined), undefined);
});

test('exclude: fields AND, values OR, case-insensitive, wildcards, numbers, per tenant', () => {
  const keep = filterOf({
    exclude: [
      { Workload: 'powerbi' },
      { Operation: ['FileAccessed', 'FilePreviewed'], tenants: ['contoso'] },
      { RecordType: 15, UserId: 'svc-*@contoso.com' },
    ],
  })!;
  assert.equal(keep(rec({ Workload: 'PowerBI' }), contoso), false);
  assert.equal(keep(rec({ Workload: 'Exchange' }), contoso), true);
  assert.equal(keep(rec({ Operation: 'FilePreviewed' }), contoso), false);
  assert.equal(keep(rec({ Operation: 'FilePreviewed' }), fabrikam), true, 'only for contoso');
  assert.equal(
    keep(rec({ Operation: 'FileAccessed' }), { tenantId: 'contoso', tenantName: 'other' }),
    false,
    'tenant id matches too',
  );
  assert.equal(keep(rec({ RecordType: 15, UserId: 'svc-backup@contoso.com' }), fabrikam), false);
  assert.equal(keep(rec({ RecordType: '15', UserId: 'SVC-x@CONTOSO.com' }), fabrikam), false, 'numeric strings and case');
  assert.equal(keep(rec({ RecordType: 15, UserId: 'alice@contoso.com' }), fabrikam), true, 'every field must match');
  assert.equal(keep(rec({ RecordType: 8, UserId: 'svc-backup@contoso.com' }), fabrikam), true);
  assert.equal(keep(rec({ Workload: 'PowerBI.' }), fabrikam), true, 'no partial match without a wildcard');
});

test('include keeps only what matches; exclude still applies', () => {
  const keep = filterOf({
    include: [{ Workload: ['AzureActiveDirectory', 'Exchange'] }],
    exclude: [{ Operation: 'MailItemsAccessed' }],
  })!;
  assert.equal(keep(rec({ Workload: 'Exchange', Operation: 'Send' }), contoso), true);
  assert.equal(keep(rec({ Workload: 'Exchange', Operation: 'MailItemsAccessed' }), contoso), false);
  assert.equal(keep(rec({ Workload: 'SharePoint' }), contoso), false);
  assert.equal(keep(rec({}), contoso), false);
});

test('a matcher with no field is a config error naming it', () => {
  assert.throws(
    () => parseConfig({ filters: { exclude: [{ tenants: ['contoso'] }] } }),
    /filters\.exclude\[0\]: name at least one record field/,
  );
});
