import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditRecord } from '../core/audit-record.ts';
import { describe } from './describe.ts';
import { normalize } from './normalize.ts';

function line(record: Record<string, unknown>): string {
  const r = {
    CreationTime: '2025-03-04T10:11:12',
    Id: 'id-1',
    OrganizationId: 'org',
    UserType: 0,
    UserKey: 'k',
    ...record,
  } as AuditRecord;
  return describe(r, normalize(r));
}

test('failed and successful sign-ins', () => {
  assert.equal(
    line({
      RecordType: 15,
      Workload: 'AzureActiveDirectory',
      Operation: 'UserLoginFailed',
      UserId: 'alice@contoso.com',
      ClientIP: '203.0.113.5',
      LogonError: 'InvalidUserNameOrPassword',
      ErrorNumber: '50126',
    }),
    'alice@contoso.com failed to sign in from 203.0.113.5 (InvalidUserNameOrPassword)',
  );
  assert.equal(
    line({
      RecordType: 15,
      Workload: 'AzureActiveDirectory',
      Operation: 'UserLoggedIn',
      UserId: 'alice@contoso.com',
      ClientIP: '203.0.113.5',
      ApplicationId: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
    }),
    'alice@contoso.com signed in to Microsoft Teams from 203.0.113.5',
  );
});

test('role assignment and consent', () => {
  assert.equal(
    line({
      RecordType: 8,
      Workload: 'AzureActiveDirectory',
      Operation: 'Add member to role.',
      UserId: 'admin@contoso.com',
      ObjectId: 'bob@contoso.com',
      ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }],
    }),
    'admin@contoso.com added bob@contoso.com to role Global Administrator',
  );
  assert.equal(
    line({
      RecordType: 8,
      Workload: 'AzureActiveDirectory',
      Operation: 'Consent to application.',
      UserId: 'bob@contoso.com',
      Target: [{ ID: 'Mail Sync Pro', Type: 1 }],
    }),
    'bob@contoso.com consented to application Mail Sync Pro',
  );
});

test('Exchange cmdlet with its parameters', () => {
  assert.equal(
    line({
      RecordType: 1,
      Workload: 'Exchange',
      Operation: 'New-InboxRule',
      UserId: 'bob@contoso.com',
      ResultStatus: 'True',
      ClientIP: '198.51.100.50:51000',
      ObjectId: 'bob\\Forward',
      Parameters: [{ Name: 'ForwardTo', Value: 'x@evil.example' }],
    }),
    'bob@contoso.com ran New-InboxRule on bob\\Forward with ForwardTo:x@evil.example from 198.51.100.50',
  );
});

test('file download, malware detection and mailbox access', () => {
  assert.equal(
    line({
      RecordType: 6,
      Workload: 'SharePoint',
      Operation: 'FileDownloaded',
      UserId: 'bob@contoso.com',
      ClientIP: '192.0.2.4',
      SourceFileName: 'pay.xlsx',
      ObjectId: 'https://contoso.sharepoint.com/sites/HR/pay.xlsx',
    }),
    'bob@contoso.com downloaded file pay.xlsx (https://contoso.sharepoint.com/sites/HR/pay.xlsx) from 192.0.2.4',
  );
  assert.equal(
    line({
      RecordType: 47,
      Workload: 'ThreatIntelligence',
      Operation: 'AtpDetection',
      UserId: 'ThreatIntel',
      FileData: { FileName: 'x.exe', MalwareFamily: 'Trojan:Win32/Agent' },
    }),
    'Malware Trojan:Win32/Agent detected in file x.exe',
  );
  assert.equal(
    line({
      RecordType: 50,
      Workload: 'Exchange',
      Operation: 'MailItemsAccessed',
      UserId: 'bob@contoso.com',
      ClientIPAddress: '192.0.2.9',
      OperationCount: 12,
      Folders: [{ Path: '\\Inbox' }],
    }),
    'bob@contoso.com accessed 12 mail item(s) in \\Inbox from 192.0.2.9',
  );
});

test('alerts and investigations', () => {
  assert.equal(
    line({
      RecordType: 40,
      Workload: 'SecurityComplianceCenter',
      Operation: 'AlertTriggered',
      UserId: 'SecurityComplianceAlerts',
      Name: 'Suspicious email sending patterns detected',
      Severity: 'Medium',
      Data: '{"f3u":"bob@contoso.com"}',
    }),
    'Alert: Suspicious email sending patterns detected (Medium) about bob@contoso.com [AlertTriggered]',
  );
  assert.equal(
    line({
      RecordType: 64,
      Workload: 'AirInvestigation',
      Operation: 'AirInvestigationData',
      UserId: 'x',
      InvestigationName: 'Mail zapped',
      Status: 'Remediated',
    }),
    'Automated investigation "Mail zapped": Remediated',
  );
});

test('Copilot interactions name the app, what Copilot read and any jailbreak / injection flag', () => {
  assert.equal(
    line({
      RecordType: 261,
      Workload: 'Copilot',
      Operation: 'CopilotInteraction',
      UserId: 'bob@contoso.com',
      ClientIP: '192.0.2.1',
      CopilotEventData: {
        AppHost: 'Word',
        Messages: [{ Id: '1', isPrompt: true, JailbreakDetected: true }],
        AccessedResources: [{ Name: 'Salaries.xlsx', XPIADetected: false }],
      },
    }),
    'bob@contoso.com used Copilot in Word, reading Salaries.xlsx from 192.0.2.1 (jailbreak attempt detected)',
  );
  assert.equal(
    line({
      RecordType: 284,
      Workload: 'Copilot',
      Operation: 'AIAppInteraction',
      UserId: 'eve',
      AppIdentity: 'ChatGPT Enterprise',
    }),
    'eve used ChatGPT Enterprise',
  );
});

test('Defender alerts name the device; risk detections the risk and the address', () => {
  assert.equal(
    line({
      RecordType: 78,
      Workload: 'WindowsDefenderATP',
      Operation: 'AlertTriggered',
      UserId: 'WindowsDefenderATP',
      Title: 'Credential dumping',
      Severity: 'High',
      DeviceName: 'wks-1',
    }),
    'Alert: Credential dumping (High) on wks-1',
  );
  assert.equal(
    line({
      RecordType: 294,
      Workload: 'AzureActiveDirectory',
      Operation: 'UserRiskDetected',
      UserId: 'bob@contoso.com',
      IpAddress: '185.220.101.4',
      RiskEventType: 'anonymizedIPAddress',
      RiskLevel: 'high',
    }),
    'Risk detection anonymizedIPAddress (high) for bob@contoso.com from 185.220.101.4',
  );
});

test('unknown RecordType uses the generic sentence; descriptions are one bounded line', () => {
  assert.equal(
    line({
      RecordType: 279,
      Workload: 'Mesh',
      Operation: 'WorldCreated',
      UserId: 'bob@contoso.com',
      ClientIP: '192.0.2.1',
    }),
    'bob@contoso.com performed WorldCreated on Mesh from 192.0.2.1',
  );
  const long = line({
    RecordType: 1,
    Workload: 'Exchange',
    Operation: 'Set-Mailbox',
    UserId: 'a\nb',
    ObjectId: 'x'.repeat(1000),
  });
  assert.ok(!long.includes('\n'));
  assert.ok(long.length <= 300);
  assert.equal(line({ RecordType: 999 }), 'k performed an unknown action on an unknown service');
});

test('sharing and Teams membership', () => {
  assert.equal(
    line({
      RecordType: 14,
      Workload: 'OneDrive',
      Operation: 'SharingInvitationCreated',
      UserId: 'bob@contoso.com',
      ClientIP: '192.0.2.3',
      SourceFileName: 'plan.docx',
      TargetUserOrGroupName: 'eve@partner.example',
    }),
    'bob@contoso.com shared plan.docx with eve@partner.example (SharingInvitationCreated) from 192.0.2.3',
  );
  assert.equal(
    line({
      RecordType: 25,
      Workload: 'MicrosoftTeams',
      Operation: 'MemberAdded',
      UserId: 'bob@contoso.com',
      TeamName: 'Finance',
      Members: [{ UPN: 'eve@partner.example', Role: 2 }],
    }),
    'bob@contoso.com added eve@partner.example to team Finance',
  );
});
