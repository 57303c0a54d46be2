import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../core/audit-record.ts';
import { get } from './document.ts';
import { normalize } from './normalize.ts';

const TENANT = '4f2f2a43-6c1d-4c2e-9a43-1d2b7e6f0a11';

function base(recordType: number, workload: string, operation: string, extra: Record<string, unknown>): AuditRecord {
  return {
    CreationTime: '2025-03-04T10:11:12',
    Id: `00000000-0000-4000-8000-${String(recordType).padStart(12, '0')}`,
    Operation: operation,
    OrganizationId: TENANT,
    RecordType: recordType,
    UserKey: '10032001A1B2C3D4',
    UserType: 0,
    Version: 1,
    Workload: workload,
    UserId: 'alice@contoso.com',
    ...extra,
  };
}

/** Checks `expected` (dotted path → value) against the document. */
function expectFields(record: AuditRecord, expected: Record<string, unknown>): Record<string, unknown> {
  const doc = normalize(record);
  for (const [path, value] of Object.entries(expected)) assert.deepEqual(get(doc, path), value, path);
  return doc;
}

test('Entra ID STS logon failure (15)', () => {
  expectFields(
    base(15, 'AzureActiveDirectory', 'UserLoginFailed', {
      ResultStatus: 'Success',
      ClientIP: '203.0.113.5',
      ApplicationId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
      ErrorNumber: '50126',
      LogonError: 'InvalidUserNameOrPassword',
      ExtendedProperties: [
        { Name: 'UserAgent', Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0' },
      ],
      DeviceProperties: [
        { Name: 'OS', Value: 'Windows 10' },
        { Name: 'IsCompliant', Value: 'False' },
      ],
    }),
    {
      'event.category': ['authentication'],
      'event.type': ['start'],
      'event.outcome': 'failure',
      'user.name': 'alice@contoso.com',
      'user.email': 'alice@contoso.com',
      'source.ip': '203.0.113.5',
      'related.ip': ['203.0.113.5'],
      'office365.error_number': 50126,
      'office365.logon_error': 'InvalidUserNameOrPassword',
      'office365.context.client.name': 'Microsoft Teams',
      'office365.device.is_compliant': false,
      'user_agent.name': 'Firefox',
      'user_agent.version': '120.0',
      'user_agent.os.name': 'Windows',
    },
  );
});

test('Entra ID directory change (8): role assignment', () => {
  expectFields(
    base(8, 'AzureActiveDirectory', 'Add member to role.', {
      ResultStatus: 'Success',
      ClientIP: '',
      ObjectId: 'victim@contoso.com',
      ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }],
      Target: [
        { ID: 'User_1', Type: 2 },
        { ID: 'victim@contoso.com', Type: 5 },
      ],
      InterSystemsId: 'corr-1',
    }),
    {
      'event.action': 'Add member to role',
      'event.category': ['iam'],
      'event.type': ['info'],
      'event.outcome': 'success',
      'office365.audit.object_id': 'victim@contoso.com',
      'office365.context.correlation.id': 'corr-1',
      'source.ip': undefined,
    },
  );
});

test('Exchange admin cmdlet with Parameters (1)', () => {
  expectFields(
    base(1, 'Exchange', 'Set-Mailbox', {
      ResultStatus: 'False',
      ClientIP: '[2001:DB8::7]:443',
      ObjectId: 'bob',
      Parameters: [
        { Name: 'Identity', Value: 'bob' },
        { Name: 'ForwardingSmtpAddress', Value: 'smtp:x@evil.example' },
      ],
      ClientAppId: '',
      AppId: 'fb78d390-0c51-40cd-8e17-fdbfab77341b',
    }),
    {
      'event.outcome': 'failure',
      'source.ip': '2001:db8::7',
      'source.port': 443,
      'office365.exchange_admin.parameters': ['Identity:bob', 'ForwardingSmtpAddress:smtp:x@evil.example'],
      'office365.context.client.id': 'fb78d390-0c51-40cd-8e17-fdbfab77341b',
      'office365.context.client.name': 'Microsoft Exchange REST API Based Powershell',
    },
  );
});

test('Exchange mailbox item (2) and MailItemsAccessed (50)', () => {
  expectFields(
    base(2, 'Exchange', 'Send', {
      ResultStatus: 'Succeeded',
      ClientIP: '198.51.100.4',
      LogonUserSid: 'S-1-5-21-1',
      MailboxOwnerUPN: 'alice@contoso.com',
      Item: { Subject: 'Invoice', InternetMessageId: '<abc@contoso.com>' },
    }),
    {
      'event.category': ['email', 'file'],
      'event.type': ['info'],
      'user.id': 'S-1-5-21-1',
      'email.subject': 'Invoice',
      'email.message_id': 'abc@contoso.com',
    },
  );
  expectFields(
    base(50, 'Exchange', 'MailItemsAccessed', {
      ResultStatus: 'Succeeded',
      ClientIPAddress: '198.51.100.9',
      LogonUserSid: 'S-1-5-21-2',
      OperationProperties: [
        { Name: 'MailAccessType', Value: 'Sync' },
        { Name: 'IsThrottled', Value: 'False' },
      ],
      Folders: [{ Path: '\\Inbox', FolderItems: [] }, { Path: '\\Sent Items' }],
      OperationCount: 40,
    }),
    {
      'source.ip': '198.51.100.9',
      'user.id': 'S-1-5-21-2',
      'office365.folders.paths': ['\\Inbox', '\\Sent Items'],
      'office365.operation.properties': { MailAccessType: 'Sync', IsThrottled: 'False' },
    },
  );
});

test('SharePoint/OneDrive file operation (6) and sharing (14)', () => {
  expectFields(
    base(6, 'OneDrive', 'FileDownloaded', {
      UserId: 'urn:spo:guest#eve@partner.example',
      ClientIP: '192.0.2.44',
      ObjectId: 'https://contoso-my.sharepoint.com/personal/alice/Documents/plan.docx',
      SourceFileName: 'plan.docx',
      SourceFileExtension: 'docx',
      SourceRelativeUrl: 'Documents',
      SiteUrl: 'https://contoso-my.sharepoint.com/personal/alice/',
      FileSizeBytes: '2048',
      UserAgent:
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
    }),
    {
      'event.category': ['file'],
      'user.name': 'eve@partner.example',
      'office365.user_type.is_external': true,
      'file.name': 'plan.docx',
      'file.size': 2048,
      'url.domain': 'contoso-my.sharepoint.com',
      'url.path': '/personal/alice/Documents/plan.docx',
      'user_agent.name': 'Safari',
      'user_agent.os.name': 'Mac OS X',
    },
  );
  expectFields(
    base(14, 'SharePoint', 'SharingInvitationCreated', {
      ClientIP: '192.0.2.45',
      ObjectId: 'https://contoso.sharepoint.com/sites/HR/Shared Documents/salaries.xlsx',
      TargetUserOrGroupName: 'eve@partner.example',
      SourceFileName: 'salaries.xlsx',
    }),
    {
      'user.target.name': 'eve@partner.example',
      'url.full': 'https://contoso.sharepoint.com/sites/HR/Shared Documents/salaries.xlsx',
      'file.name': 'salaries.xlsx',
    },
  );
});

test('Teams (25): members with roles', () => {
  expectFields(
    base(25, 'MicrosoftTeams', 'MemberAdded', {
      ClientIP: '192.0.2.8',
      TeamName: 'Finance',
      TeamGuid: '19:abc@thread.tacv2',
      CommunicationType: 'Team',
      Members: [{ UPN: 'eve@partner.example', Role: 2, DisplayName: 'Eve' }],
    }),
    {
      'event.category': ['network'],
      'office365.teams.team.name': 'Finance',
      'office365.teams.team.members': [{ id: 'eve@partner.example', role: 'Guest', name: 'Eve' }],
    },
  );
});

test('Power BI (20), Yammer (22), Forms (66)', () => {
  expectFields(
    base(20, 'PowerBI', 'ExportReport', {
      ClientIP: '192.0.2.9',
      UserAgent:
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    }),
    {
      'user_agent.name': 'Chrome',
      'event.action': 'ExportReport',
      'service.name': 'PowerBI',
    },
  );
  expectFields(base(22, 'Yammer', 'FileDownloaded', { FileName: 'notes.txt' }), {
    'event.category': ['file'],
    'file.name': 'notes.txt',
  });
  expectFields(base(66, 'MicrosoftForms', 'CreateForm', { FormName: 'Survey', SourceApp: 'ms-formweb' }), {
    'office365.form_name': 'Survey',
    'office365.source.application': 'ms-formweb',
  });
});

test('DLP rule match (11)', () => {
  expectFields(
    base(11, 'SharePoint', 'DlpRuleMatch', {
      UserKey: 'DlpAgent',
      SharePointMetaData: { FileName: 'cards.csv', FilePathUrl: 'https://contoso.sharepoint.com/sites/x/cards.csv' },
      PolicyDetails: [
        {
          PolicyId: 'p1',
          PolicyName: 'PCI',
          Rules: [
            {
              RuleId: 'r1',
              RuleName: 'Credit cards',
              Severity: 'High',
              Actions: ['NotifyUser'],
              ConditionsMatched: { SensitiveInformation: [{ SensitiveInformationTypeName: 'Credit Card Number', Count: 3 }] },
            },
          ],
        },
      ],
    }),
    {
      'event.kind': 'alert',
      'event.category': ['file'],
      'rule.name': 'Credit cards',
      'file.name': 'cards.csv',
      'url.domain': 'contoso.sharepoint.com',
      'office365.dlp.severity': 'High',
      'office365.dlp.sensitive_information_types': ['Credit Card Number'],
    },
  );
});

test('Security & Compliance alert (40) takes the user from Data, not the system account', () => {
  expectFields(
    base(40, 'SecurityComplianceCenter', 'AlertTriggered', {
      UserId: 'SecurityComplianceAlerts',
      UserKey: 'SecurityComplianceAlerts',
      ResultStatus: 'Succeeded',
      AlertId: 'a1',
      Name: 'Creation of forwarding/redirect rule',
      Severity: 'Informational',
      Status: 'Active',
      Source: 'Office 365 Security & Compliance',
      PolicyId: 'pol-1',
      Data: JSON.stringify({ f3u: 'alice@contoso.com', op: 'New-InboxRule' }),
    }),
    {
      'event.kind': 'alert',
      'event.category': ['intrusion_detection'],
      'user.name': 'alice',
      'user.domain': 'contoso.com',
      'user.id': undefined,
      'rule.id': 'pol-1',
      'office365.alert.display_name': 'Creation of forwarding/redirect rule',
    },
  );
});

test('Defender for Office 365: TIMailData (28), URL click (41), AtpDetection (47)', () => {
  expectFields(
    base(28, 'ThreatIntelligence', 'TIMailData', {
      UserId: 'ThreatIntel',
      SenderIp: '81.2.69.144',
      P1Sender: 'a@evil.example',
      P2Sender: 'b@evil.example',
      Recipients: ['alice@contoso.com'],
      Subject: 'Pay now',
      Verdict: 'Phish',
      DeliveryAction: 'Blocked',
      MessageTime: '2025-03-04T10:10:00',
      InternetMessageId: '<m1@evil.example>',
    }),
    {
      'event.action': 'Blocked',
      'source.ip': '81.2.69.144',
      'email.from.address': ['b@evil.example'],
      'email.to.address': ['alice@contoso.com'],
      'email.delivery_timestamp': '2025-03-04T10:10:00Z',
      'office365.defender.email.verdict.reason': 'Phish',
    },
  );
  expectFields(
    base(41, 'ThreatIntelligence', 'TIUrlClickData', {
      Url: 'https://bad.evil.example/login?x=1',
      UserIp: '198.51.100.20',
      URLClickAction: 2,
    }),
    {
      'url.domain': 'bad.evil.example',
      'url.registered_domain': 'evil.example',
      'url.query': 'x=1',
      'source.ip': '198.51.100.20',
    },
  );
  expectFields(
    base(47, 'ThreatIntelligence', 'AtpDetection', {
      FileData: {
        FileName: 'x.exe',
        SHA256: 'ab'.repeat(32),
        FilePath: 'https://contoso.sharepoint.com/x.exe',
        MalwareFamily: 'Trojan',
      },
    }),
    {
      'file.name': 'x.exe',
      'related.hash': ['ab'.repeat(32)],
      'office365.defender.malware_family': 'Trojan',
    },
  );
});

test('AIR investigation (64) and MCAS alert (98)', () => {
  expectFields(
    base(64, 'AirInvestigation', 'AirInvestigationData', {
      InvestigationId: 'urn:x',
      InvestigationName: 'Zap',
      Status: 'Remediated',
      StartTimeUtc: '2025-03-04T09:00:00',
      Data: JSON.stringify({ IsIncident: true, Severity: 'High', AlertDisplayName: 'Phish zapped' }),
      Actions: [
        JSON.stringify({
          Entities: [
            {
              Type: 'mailMessage',
              NetworkMessageId: 'n1',
              Sender: 's@evil.example',
              Recipient: 'alice@contoso.com',
              Urls: ['https://evil.example/a'],
            },
          ],
        }),
      ],
    }),
    {
      'event.kind': 'alert',
      'event.start': '2025-03-04T09:00:00Z',
      'rule.name': 'Phish zapped',
      'log.level': 'High',
      'email.from.address': ['s@evil.example'],
      'url.original': 'https://evil.example/a',
      'office365.investigation.emails': [{ message_ids: ['n1'] }],
    },
  );
  expectFields(
    base(98, 'MCAS', 'MCAS_ALERT_ANUBIS_DETECTION_VELOCITY', {
      AlertDisplayName: 'Impossible travel activity',
      AlertSeverity: 'Medium',
      ClientIPs: ['1.2.3.4'],
    }),
    {
      'event.kind': 'alert',
      'office365.alert.display_name': 'Impossible travel activity',
      'office365.alert.client_ips': ['1.2.3.4'],
    },
  );
});

test('an unknown RecordType keeps the common fields and the raw record', () => {
  const record = base(279, 'Mesh', 'WorldCreated', { ClientIP: '192.0.2.77', WorldName: 'Town hall' });
  const doc = expectFields(record, {
    '@timestamp': '2025-03-04T10:11:12Z',
    'event.code': '279',
    'event.action': 'WorldCreated',
    'event.outcome': 'success',
    'user.name': 'alice@contoso.com',
    'source.ip': '192.0.2.77',
    'organization.id': TENANT,
    'office365.record_type': 279,
  });
  assert.deepEqual(JSON.parse(doc.message as string), record);
});

test('normalize never throws, whatever the field types', () => {
  const junk: unknown[] = [
    null,
    42,
    -1,
    'text',
    'constructor',
    '__proto__',
    true,
    [],
    {},
    [null],
    [{ Name: 1 }],
    [{ Name: '__proto__', Value: '{}' }],
    { a: { b: [] } },
    '<null>',
    '{"x":',
  ];
  const fields = [
    'RecordType',
    'ClientIP',
    'ClientIPAddress',
    'UserId',
    'UserKey',
    'Operation',
    'ResultStatus',
    'UserType',
    'ExtendedProperties',
    'DeviceProperties',
    'ModifiedProperties',
    'Parameters',
    'OperationProperties',
    'Folders',
    'AffectedItems',
    'Item',
    'Data',
    'Actions',
    'AppAccessContext',
    'Target',
    'Members',
    'AttachmentData',
    'FileData',
    'PolicyDetails',
    'UserAgent',
    'ObjectId',
    'Recipients',
  ];
  const types = [1, 2, 3, 4, 6, 8, 11, 13, 14, 15, 20, 22, 25, 28, 36, 40, 41, 43, 47, 50, 63, 64, 66, 98, 999];
  for (const recordType of types) {
    for (const field of fields) {
      for (const value of junk) {
        const record = { CreationTime: '2025-01-01T00:00:00', RecordType: recordType, [field]: value } as AuditRecord;
        if (field === 'RecordType') record.RecordType = value as number;
        const doc = normalize(record);
        assert.equal(typeof doc, 'object');
        JSON.stringify(doc);
      }
    }
  }
});
