// Mappings that were found wrong (issue 12, "Correctness found wrong"): one test each.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../core/audit-record.ts';
import { get } from './document.ts';
import { normalize } from './normalize.ts';

function record(recordType: number, workload: string, operation: string, extra: Record<string, unknown>): AuditRecord {
  return {
    CreationTime: '2025-07-25T09:29:37',
    Id: `00000000-00c9-40c9-80c9-${String(recordType).padStart(12, '0')}`,
    Operation: operation,
    OrganizationId: '4f2f2a43-6c1d-4c2e-9a43-1d2b7e6f0a11',
    RecordType: recordType,
    UserKey: 'S-1-2-3',
    UserType: 4,
    Version: 1,
    Workload: workload,
    UserId: 'user1',
    ...extra,
  };
}

const MD5 = '68b329da9893e34099c7d8ad5cb9c940';
const SHA256 = '01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b';

test('FileMalwareDetected: MD5Hash / SHA256Hash fill file.hash.* and related.hash', () => {
  const doc = normalize(
    record(6, 'OneDrive', 'FileMalwareDetected', {
      ClientIP: '',
      UserAgent: '',
      VirusInfo: 'Win32/KeyLogger.RDI!MTB',
      SourceRelativeUrl: 'Documents/Desktop',
      SourceFileName: 'Test1.exe',
      SourceFileExtension: 'exe',
      MD5Hash: MD5,
      SHA256Hash: SHA256,
      SiteUrl: 'https://example.sharepoint.com/personal/hostname/',
      ObjectId: 'https://example.com/',
    }),
  );
  assert.deepEqual(get(doc, 'file.hash'), { md5: MD5, sha256: SHA256 });
  assert.deepEqual(get(doc, 'related.hash'), [SHA256, MD5].sort());
  // The empty UserAgent is kept inside action.properties, as the reference does.
  assert.deepEqual(get(doc, 'action.properties'), [
    {
      SourceFileName: 'Test1.exe',
      SourceRelativeUrl: 'Documents/Desktop',
      SiteUrl: 'https://example.sharepoint.com/personal/hostname/',
      UserAgent: '',
    },
  ]);
  assert.equal(get(doc, 'user_agent'), undefined, 'an empty UserAgent is still not a user agent');
});

test('action.properties lists only the properties the record has', () => {
  const doc = normalize(record(6, 'SharePoint', 'FileAccessed', { SourceFileName: 'a.docx', SiteUrl: '' }));
  assert.deepEqual(get(doc, 'action.properties'), [{ SourceFileName: 'a.docx', SiteUrl: '' }]);
  assert.equal(get(normalize(record(6, 'SharePoint', 'FileAccessed', {})), 'action.properties'), undefined);
});

test('AIR: entities without a Type are still read; numeric Threats become strings', () => {
  const doc = normalize(
    record(64, 'AirInvestigation', 'AirInvestigationData', {
      InvestigationId: 'urn:Investigation:1',
      Actions: [
        {
          Entities: [
            {
              NetworkMessageId: 'nm-1',
              Urls: ['https://phish.example/login'],
              SenderIP: '203.0.113.9',
              P1SenderDomain: 'phish.example',
              P2SenderDomain: 'mailer.example',
              Subject: 'Reset your password',
              Threats: [3, 'Phish'],
              Sender: 'bad@phish.example',
              Recipient: 'alice@contoso.com',
            },
            { MailboxPrimaryAddress: 'bob@contoso.com' },
            { NetworkMessageIds: ['nm-2', 'nm-3'] },
          ],
        },
      ],
      Data: JSON.stringify({ Entities: [{ Type: 'mailMessage', Threats: 7, Subject: 'Reset your password' }] }),
    }),
  );
  assert.deepEqual(get(doc, 'office365.investigation.email.urls'), ['https://phish.example/login']);
  assert.deepEqual(get(doc, 'office365.investigation.email.sender.ip'), ['203.0.113.9']);
  assert.deepEqual(get(doc, 'office365.investigation.email.sender.domains'), ['phish.example', 'mailer.example']);
  assert.deepEqual(get(doc, 'office365.investigation.email.subjects'), ['Reset your password']);
  assert.deepEqual(get(doc, 'office365.investigation.threats'), ['3', 'Phish', '7']);
  assert.deepEqual(get(doc, 'email.from.address'), ['bad@phish.example']);
  assert.deepEqual(get(doc, 'email.to.address'), ['alice@contoso.com', 'bob@contoso.com']);
  assert.deepEqual(get(doc, 'office365.investigation.emails'), [{ message_ids: ['nm-1'] }, { message_ids: ['nm-2', 'nm-3'] }]);
  assert.equal(get(doc, 'url.original'), 'https://phish.example/login');
});

const dlpRule = (actions: string[], extra: Record<string, unknown> = {}) => ({
  PolicyDetails: [
    { PolicyName: 'PCI', Rules: [{ RuleName: 'Cards', RuleId: 'r1', Severity: 'High', Actions: actions, ...extra }] },
  ],
});

test('DLP: DLPRuleMatch is matched whatever its case; BlockAccess is a failure', () => {
  for (const operation of ['DlpRuleMatch', 'DLPRuleMatch']) {
    const doc = normalize(record(11, 'SharePoint', operation, dlpRule(['NotifyUser', 'BlockAccess'])));
    assert.equal(get(doc, 'event.kind'), 'alert', operation);
    assert.equal(get(doc, 'event.outcome'), 'failure', operation);
    assert.equal(get(doc, 'action.outcome'), 'failure', operation);
  }
  const notified = normalize(record(13, 'Exchange', 'DlpRuleMatch', dlpRule(['NotifyUser'])));
  assert.equal(get(notified, 'event.outcome'), 'success');
  const overridden = normalize(
    record(13, 'Exchange', 'DlpRuleMatch', dlpRule(['BlockAccess'], { OverriddenActions: ['BlockAccess'] })),
  );
  assert.equal(get(overridden, 'event.outcome'), 'success', 'the user overrode the block');
});

test('ExchangeItem (2): Item.Attachments become email.attachments with names and sizes', () => {
  const doc = normalize(
    record(2, 'Exchange', 'Send', {
      Item: {
        Subject: 'Q3 figures',
        InternetMessageId: '<a1@contoso.com>',
        Attachments: 'figures (final).xlsx (10240b); C:\\Temp\\notes.txt (12b)',
      },
    }),
  );
  assert.deepEqual(get(doc, 'email.attachments'), [
    { file: { name: 'figures (final).xlsx', size: 10240 } },
    { file: { name: 'notes.txt', size: 12 } },
  ]);
  assert.equal(get(doc, 'email.subject'), 'Q3 figures');
});
