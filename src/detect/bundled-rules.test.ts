import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditRecord } from '../core/audit-record.ts';
import { normalize } from '../normalize/index.ts';
import { createDetector } from './detector.ts';
import { bundledRulesDir, loadRules } from './load-rules.ts';
import {
  cloudAppsAlert,
  complianceAlert,
  complianceCmdlet,
  directoryAudit,
  exchangeCmdlet,
  fileOperation,
  sharePointEvent,
  signIn,
  threatMail,
} from './test-support/o365-records.ts';
import type { DetectableEvent, LoadedRule } from './types.ts';

const { rules, filters, errors } = loadRules([bundledRulesDir()]);
const byTitle = new Map(rules.map((r) => [r.title, r]));

function toEvent(raw: AuditRecord, tenantId = 'contoso', geo?: string): DetectableEvent {
  const ecs = normalize(raw);
  // GeoIP enrichment is not part of normalize(): simulate it where a rule needs a country.
  if (geo) (ecs.source as Record<string, unknown>).geo = { country_iso_code: geo };
  return { id: `${tenantId}:${raw.Id}`, tenantId, time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
}

function ruleNamed(title: string): LoadedRule {
  const rule = byTitle.get(title);
  assert.ok(rule, `no bundled rule titled "${title}"`);
  return rule;
}

/** Rule ids alerted on when `records` run through a detector holding the whole bundled set. */
function alertedRuleIds(records: AuditRecord[], geos: (string | undefined)[] = []): string[] {
  const detector = createDetector({ rules, filters });
  return records.flatMap((r, i) => detector.process(toEvent(r, 'contoso', geos[i]))).map((a) => a.ruleId);
}

type Case = { tp: AuditRecord; tn: AuditRecord };
const inbox = (params: Record<string, string>) =>
  exchangeCmdlet('New-InboxRule', { Name: 'Rule 1', StopProcessingRules: 'True', ...params });

/** One true positive and one true negative per single-event rule, by title. */
const SINGLE: Record<string, Case> = {
  // SigmaHQ rules
  'Mail Forwarding/Redirecting Activity In O365': {
    tp: inbox({ ForwardTo: 'x@fabrikam.com' }),
    tn: inbox({ MoveToFolder: 'Archive', From: 'news@fabrikam.com' }),
  },
  'Inbox Rules Creation Or Update Activity in O365': {
    tp: inbox({ From: 'ceo@contoso.com', MoveToFolder: 'RSS Feeds' }),
    tn: inbox({ From: 'ceo@contoso.com', ForwardTo: 'bob@contoso.com' }),
  },
  'Azure Login Bypassing Conditional Access Policies': {
    tp: signIn('UserLoggedIn', {
      applicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223',
      requestType: 'Cmsi:Cmsi',
      objectId: '00000003-0000-0000-c000-000000000000',
    }),
    tn: signIn('UserLoggedIn', {
      applicationId: '9ba1a5c7-f17a-4de9-a1f1-6178c8d51223',
      requestType: 'Cmsi:Cmsi',
      objectId: '0000000a-0000-0000-c000-000000000000',
    }),
  },
  'Disabling Multi Factor Authentication': {
    tp: directoryAudit('Disable Strong Authentication.', [
      { Name: 'StrongAuthenticationRequirement', NewValue: '[]', OldValue: '[{"State":1}]' },
    ]),
    tn: directoryAudit('Enable Strong Authentication.', [
      { Name: 'StrongAuthenticationRequirement', NewValue: '[{"State":1}]', OldValue: '[]' },
    ]),
  },
  'New Federated Domain Added': {
    tp: directoryAudit('Add domain to company.', [], { ObjectId: 'evil-idp.com' }),
    tn: directoryAudit('Verify domain.', [], { ObjectId: 'contoso.com' }),
  },
  'New Federated Domain Added - Exchange': {
    tp: exchangeCmdlet('Add-FederatedDomain', { DomainName: 'evil-idp.com' }),
    tn: exchangeCmdlet('Remove-FederatedDomain', { DomainName: 'old.contoso.com' }),
  },
  'Suspicious Email Delivered In Microsoft 365': { tp: threatMail('Delivered'), tn: threatMail('Blocked') },
  'PST Export Alert Using New-ComplianceSearchAction': {
    tp: complianceCmdlet(
      'New-ComplianceSearchAction',
      '-SearchName "Board mail" -Export -Format FxStream -ExchangeArchiveFormat PerUserPst',
    ),
    tn: complianceCmdlet('New-ComplianceSearchAction', '-SearchName "Phish cleanup" -Purge -PurgeType SoftDelete'),
  },
  'Activity Performed by Terminated User': {
    tp: complianceAlert('Activity performed by terminated user'),
    tn: complianceAlert('Email messages containing malware removed after delivery'),
  },
  'Activity from Anonymous IP Addresses': {
    tp: cloudAppsAlert('Activity from anonymous IP addresses'),
    tn: cloudAppsAlert('Activity from infrequent country '),
  },
  'Activity from Infrequent Country': {
    tp: cloudAppsAlert('Activity from infrequent country'),
    tn: cloudAppsAlert('Impossible travel activity'),
  },
  'Activity from Suspicious IP Addresses': {
    tp: cloudAppsAlert('Activity from suspicious IP addresses'),
    tn: cloudAppsAlert('Activity from anonymous IP addresses'),
  },
  'Data Exfiltration to Unsanctioned Apps': {
    tp: cloudAppsAlert('Data exfiltration to unsanctioned apps'),
    tn: cloudAppsAlert('Mass download by a single user'),
  },
  'Microsoft 365 - Impossible Travel Activity': {
    tp: cloudAppsAlert('Impossible travel activity'),
    tn: cloudAppsAlert('Activity from infrequent country'),
  },
  'Logon from a Risky IP Address': {
    tp: cloudAppsAlert('Log on from a risky IP address'),
    tn: cloudAppsAlert('Activity from suspicious IP addresses'),
  },
  'Microsoft 365 - Potential Ransomware Activity': {
    tp: cloudAppsAlert('Potential ransomware activity'),
    tn: cloudAppsAlert('Unusual file deletion activity'),
  },
  'PST Export Alert Using eDiscovery Alert': {
    tp: complianceAlert('eDiscovery search started or exported'),
    tn: complianceAlert('Creation of forwarding/redirect rule'),
  },
  'Suspicious Inbox Forwarding': {
    tp: cloudAppsAlert('Suspicious inbox forwarding'),
    tn: cloudAppsAlert('Suspicious inbox manipulation rule'),
  },
  'Suspicious OAuth App File Download Activities': {
    tp: cloudAppsAlert('Suspicious OAuth app file download activities'),
    tn: cloudAppsAlert('Unusual file download activity'),
  },
  'Microsoft 365 - Unusual Volume of File Deletion': {
    tp: cloudAppsAlert('Unusual volume of file deletion'),
    tn: cloudAppsAlert('Unusual file share activity'),
  },
  'Microsoft 365 - User Restricted from Sending Email': {
    tp: complianceAlert('User restricted from sending email', 'High'),
    tn: complianceAlert('Email sending limit exceeded'),
  },
  // o365-intake rules
  'Inbox Rule Forwards Or Redirects Email': {
    tp: inbox({ RedirectTo: 'partner@fabrikam.com' }),
    tn: inbox({ MoveToFolder: 'Newsletters', From: 'news@fabrikam.com' }),
  },
  'Email Forwarding To A Consumer Or Privacy Mailbox': {
    tp: exchangeCmdlet('Set-Mailbox', {
      Identity: 'alice',
      ForwardingSmtpAddress: 'smtp:alice.backup@protonmail.com',
      DeliverToMailboxAndForward: 'True',
    }),
    tn: exchangeCmdlet('Set-Mailbox', {
      Identity: 'alice',
      ForwardingSmtpAddress: 'smtp:alice@fabrikam.com',
      DeliverToMailboxAndForward: 'True',
    }),
  },
  'Mailbox Forwarding Set With Set-Mailbox': {
    tp: exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: 'smtp:drop@fabrikam.net' }),
    tn: exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: '' }),
  },
  'Transport Rule Copies Or Redirects Email': {
    tp: exchangeCmdlet('New-TransportRule', {
      Name: 'Compliance copy',
      SentToScope: 'InOrganization',
      BlindCopyTo: 'archive@fabrikam.net',
    }),
    tn: exchangeCmdlet('New-TransportRule', {
      Name: 'Disclaimer',
      ApplyHtmlDisclaimerText: 'Confidential',
      ApplyHtmlDisclaimerLocation: 'Append',
    }),
  },
  'Mailbox Audit Logging Bypass Enabled': {
    tp: exchangeCmdlet('Set-MailboxAuditBypassAssociation', { Identity: 'svc-backup', AuditBypassEnabled: 'True' }),
    tn: exchangeCmdlet('Set-MailboxAuditBypassAssociation', { Identity: 'svc-backup', AuditBypassEnabled: 'False' }),
  },
  'Mailbox Auditing Disabled': {
    tp: exchangeCmdlet('Set-OrganizationConfig', { AuditDisabled: 'True' }),
    tn: exchangeCmdlet('Set-Mailbox', { Identity: 'alice', AuditEnabled: 'True' }),
  },
  'Unified Audit Log Ingestion Disabled': {
    tp: exchangeCmdlet('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'False' }),
    tn: exchangeCmdlet('Set-AdminAuditLogConfig', { UnifiedAuditLogIngestionEnabled: 'True' }),
  },
  'User Added To An Entra ID Administrator Role': {
    tp: directoryAudit('Add member to role.', [{ Name: 'Role.DisplayName', NewValue: 'Exchange Administrator', OldValue: '' }]),
    tn: directoryAudit('Remove member from role.', [
      { Name: 'Role.DisplayName', NewValue: '', OldValue: 'Exchange Administrator' },
    ]),
  },
  'Global Administrator Role Assigned': {
    tp: directoryAudit('Add member to role.', [
      { Name: 'Role.ObjectID', NewValue: '62d603c4-9712-4ea9-83c6-1e253fad40a4', OldValue: '' },
      { Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' },
    ]),
    tn: directoryAudit('Add member to role.', [{ Name: 'Role.DisplayName', NewValue: 'Helpdesk Administrator', OldValue: '' }]),
  },
  'Consent Granted To An OAuth Application': {
    tp: directoryAudit('Consent to application.', [{ Name: 'ConsentContext.IsAdminConsent', NewValue: 'False', OldValue: '' }], {
      ObjectId: 'Mail Backup Pro',
    }),
    tn: directoryAudit('Consent to application.', [], { ObjectId: 'Mail Backup Pro', ResultStatus: 'Failure' }),
  },
  'Sign-In With The Device Code Flow': {
    tp: signIn('UserLoggedIn', { requestType: 'Cmsi:Cmsi' }),
    tn: signIn('UserLoggedIn', { requestType: 'OAuth2:Authorize' }),
  },
  'Anti-Phishing Policy Or Rule Removed': {
    tp: exchangeCmdlet('Remove-AntiPhishPolicy', { Identity: 'Executives' }),
    tn: exchangeCmdlet('New-AntiPhishPolicy', { Name: 'Executives' }),
  },
  'Malware Filter Policy Or Rule Removed': {
    tp: exchangeCmdlet('Disable-MalwareFilterRule', { Identity: 'Default' }),
    tn: exchangeCmdlet('Enable-MalwareFilterRule', { Identity: 'Default' }),
  },
  'Data Loss Prevention Policy Removed': {
    tp: exchangeCmdlet('Remove-DlpCompliancePolicy', { Identity: 'PCI DSS' }),
    tn: exchangeCmdlet('New-DlpCompliancePolicy', { Name: 'PCI DSS' }),
  },
  'Safe Links Or Safe Attachments Protection Disabled': {
    tp: exchangeCmdlet('Disable-SafeLinksRule', { Identity: 'All users' }),
    tn: exchangeCmdlet('Enable-SafeLinksRule', { Identity: 'All users' }),
  },
  'DKIM Signing Disabled For A Domain': {
    tp: exchangeCmdlet('Set-DkimSigningConfig', { Identity: 'contoso.com', Enabled: 'False' }),
    tn: exchangeCmdlet('Set-DkimSigningConfig', { Identity: 'contoso.com', Enabled: 'True' }),
  },
  'Teams External Access Enabled': {
    tp: exchangeCmdlet('Set-CsTenantFederationConfiguration', { AllowPublicUsers: 'True' }, { Workload: 'MicrosoftTeams' }),
    tn: exchangeCmdlet(
      'Set-CsTenantFederationConfiguration',
      { AllowFederatedUsers: 'False', AllowPublicUsers: 'False' },
      { Workload: 'MicrosoftTeams' },
    ),
  },
  'Teams Guest Access Enabled': {
    tp: exchangeCmdlet(
      'Set-CsTeamsClientConfiguration',
      { Identity: 'Global', AllowGuestUser: 'True' },
      { Workload: 'MicrosoftTeams' },
    ),
    tn: exchangeCmdlet(
      'Set-CsTeamsClientConfiguration',
      { Identity: 'Global', AllowGuestUser: 'False' },
      { Workload: 'MicrosoftTeams' },
    ),
  },
  'Sign-In With Legacy Authentication (ROPC)': {
    tp: signIn('UserLoggedIn', { userAgent: 'BAV2ROPC' }),
    tn: signIn('UserLoginFailed', { userAgent: 'BAV2ROPC' }),
  },
  'Sign-In From An Offensive Tool Or Scripted Client': {
    tp: signIn('UserLoginFailed', { userAgent: 'axios/1.7.7' }),
    tn: signIn('UserLoggedIn', {}),
  },
  'Full Access Or Send-As Permission Granted On A Mailbox': {
    tp: exchangeCmdlet('Add-MailboxPermission', {
      Identity: 'ceo',
      User: 'mallory',
      AccessRights: 'FullAccess',
      InheritanceType: 'All',
    }),
    tn: exchangeCmdlet(
      'Add-MailboxPermission',
      { Identity: 'ceo', User: 'mallory', AccessRights: 'FullAccess' },
      { UserId: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)' },
    ),
  },
  'Exchange Management Role Assigned': {
    tp: exchangeCmdlet('New-ManagementRoleAssignment', { Role: 'ApplicationImpersonation', User: 'svc-sync' }),
    tn: exchangeCmdlet('Get-ManagementRoleAssignment', { Role: 'ApplicationImpersonation' }),
  },
  'Anonymous Sharing Link Created': {
    tp: sharePointEvent('AnonymousLinkCreated', 14, { EventData: '<Type>View</Type>' }),
    tn: sharePointEvent('CompanyLinkCreated', 14),
  },
  'SharePoint Site Collection Administrator Added': {
    tp: sharePointEvent('SiteCollectionAdminAdded', 4, {
      ModifiedProperties: [{ Name: 'SiteAdmin', NewValue: 'mallory@contoso.com', OldValue: '' }],
    }),
    tn: sharePointEvent('SiteCollectionAdminRemoved', 4),
  },
  'Malware Detected In A SharePoint Or OneDrive File': {
    tp: fileOperation('FileMalwareDetected', { file: 'invoice.zip', workload: 'OneDrive' }),
    tn: fileOperation('FileUploaded', { file: 'invoice.zip', workload: 'OneDrive' }),
  },
  'Credentials Added To An Application': {
    tp: directoryAudit('Update application – Certificates and secrets management ', [
      { Name: 'KeyDescription', NewValue: '[KeyIdentifier=5d4c, KeyType=Password]', OldValue: '[]' },
    ]),
    tn: directoryAudit('Update application.', [{ Name: 'DisplayName', NewValue: 'Payroll', OldValue: 'Payroll app' }]),
  },
  'Inbox Rule Hides Security Or Payment Related Email': {
    tp: inbox({ SubjectOrBodyContainsWords: 'phishing;hacked;wire transfer', DeleteMessage: 'True' }),
    tn: inbox({ SubjectOrBodyContainsWords: 'newsletter', MoveToFolder: 'Newsletters' }),
  },
  'Microsoft 365 Defender Or Compliance High Severity Alert': {
    tp: complianceAlert('A potentially malicious URL click was detected', 'High'),
    tn: complianceAlert('A potentially malicious URL click was detected', 'Low'),
  },
  'Domain Federation Or Authentication Settings Changed': {
    tp: directoryAudit('Set domain authentication.', [{ Name: 'LiveType', NewValue: 'Federated', OldValue: 'Managed' }], {
      ObjectId: 'contoso.com',
    }),
    tn: directoryAudit('Verify domain.', [], { ObjectId: 'contoso.com' }),
  },
  'SharePoint Or OneDrive File Access With PowerShell': {
    tp: fileOperation('FileDownloaded', {
      userAgent: 'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4894',
    }),
    tn: fileOperation('FileDownloaded', {}),
  },
};

/** Building blocks of correlations: they never alert alone, so they are checked with their own predicate. */
const BASES: Record<string, Case> = {
  'Failed Sign-In (correlation base)': {
    tp: signIn('UserLoginFailed'),
    tn: signIn('UserLoginFailed', { logonError: 'UserStrongAuthClientAuthNRequired' }),
  },
  'Successful Sign-In (correlation base)': { tp: signIn('UserLoggedIn'), tn: signIn('UserLoginFailed') },
  'Sign-In Refused For A Locked Account (correlation base)': {
    tp: signIn('UserLoginFailed', { logonError: 'IdsLocked' }),
    tn: signIn('UserLoginFailed'),
  },
  'File Downloaded From SharePoint Or OneDrive (correlation base)': {
    tp: fileOperation('FileSyncDownloadedFull'),
    tn: fileOperation('FileUploaded'),
  },
  'File Deleted In SharePoint Or OneDrive (correlation base)': {
    tp: fileOperation('FileRecycled'),
    tn: fileOperation('FileRestored'),
  },
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
/** Order in which records are fed: reversed blocks simulate late, out-of-order delivery. */
const shuffle = <T>(items: T[]): T[] =>
  items
    .map((x, i) => [x, (i * 7919) % items.length] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([x]) => x);

interface CorrelationCase {
  tp: () => { records: AuditRecord[]; geos?: string[] };
  tn: () => { records: AuditRecord[]; geos?: string[] };
}

const CORRELATIONS: Record<string, CorrelationCase> = {
  'Brute Force Against A User Account': {
    tp: () => ({ records: shuffle(range(10).map((m) => signIn('UserLoginFailed', { minute: m * 2 }))) }),
    tn: () => ({ records: range(10).map((m) => signIn('UserLoginFailed', { minute: m * 5 })) }),
  },
  'Brute Force Followed By A Successful Sign-In': {
    tp: () => ({
      records: [...range(10).map((m) => signIn('UserLoginFailed', { minute: m })), signIn('UserLoggedIn', { minute: 15 })],
    }),
    tn: () => ({
      records: [signIn('UserLoggedIn', { minute: 0 }), ...range(10).map((m) => signIn('UserLoginFailed', { minute: m + 1 }))],
    }),
  },
  'Password Spray From One Source Address': {
    tp: () => ({
      records: shuffle(
        range(12).map((i) => signIn('UserLoginFailed', { user: `user${i}@contoso.com`, ip: '192.0.2.200', minute: i })),
      ),
    }),
    tn: () => ({
      records: range(12).map((i) =>
        signIn('UserLoginFailed', { user: `user${i}@contoso.com`, ip: `192.0.2.${i + 1}`, minute: i }),
      ),
    }),
  },
  'Many Accounts Locked Out In A Short Time': {
    tp: () => ({
      records: shuffle(
        range(10).map((i) => signIn('UserLoginFailed', { user: `user${i}@contoso.com`, logonError: 'IdsLocked', minute: i % 4 })),
      ),
    }),
    tn: () => ({
      records: range(10).map((i) =>
        signIn('UserLoginFailed', { user: `user${i % 3}@contoso.com`, logonError: 'IdsLocked', minute: i % 4 }),
      ),
    }),
  },
  'Sign-Ins From Two Countries Within 30 Minutes': {
    tp: () => ({
      records: [signIn('UserLoggedIn', { minute: 20, ip: '203.0.113.9' }), signIn('UserLoggedIn', { minute: 0 })],
      geos: ['NG', 'FR'],
    }),
    tn: () => ({
      records: [signIn('UserLoggedIn', { minute: 0 }), signIn('UserLoggedIn', { minute: 45, ip: '203.0.113.9' })],
      geos: ['FR', 'NG'],
    }),
  },
  'Mass File Download By A Single User': {
    tp: () => ({
      records: shuffle(range(25).map((i) => fileOperation('FileDownloaded', { file: `contract-${i}.pdf`, minute: i % 5 }))),
    }),
    tn: () => ({
      records: range(40).map((i) => fileOperation('FileDownloaded', { file: `contract-${i % 10}.pdf`, minute: i % 5 })),
    }),
  },
  'Mass File Deletion By A Single User': {
    tp: () => ({
      records: shuffle(range(50).map((i) => fileOperation('FileRecycled', { file: `doc-${i}.docx`, minute: i % 4 }))),
    }),
    tn: () => ({ records: range(50).map((i) => fileOperation('FileRecycled', { file: `doc-${i}.docx`, minute: i * 2 })) }),
  },
};

describe('bundled rule set', () => {
  it('loads without errors and has at least 40 rules with unique titles', () => {
    assert.deepEqual(
      errors.map((e) => e.message),
      [],
    );
    assert.ok(rules.length >= 40, `${rules.length} rules`);
    assert.equal(byTitle.size, rules.length);
    for (const rule of rules) assert.ok(rule.author, `${rule.title} has no author`);
  });

  it('every rule has a true-positive and a true-negative test', () => {
    const tested = new Set([...Object.keys(SINGLE), ...Object.keys(BASES), ...Object.keys(CORRELATIONS)]);
    assert.deepEqual(
      rules.map((r) => r.title).filter((t) => !tested.has(t)),
      [],
    );
    assert.deepEqual(
      [...tested].filter((t) => !byTitle.has(t)),
      [],
    );
  });

  for (const [title, { tp, tn }] of Object.entries(SINGLE)) {
    it(`single-event rule: ${title}`, () => {
      const rule = ruleNamed(title);
      assert.ok(alertedRuleIds([tp]).includes(rule.id), 'true positive did not alert');
      assert.ok(!alertedRuleIds([tn]).includes(rule.id), 'true negative alerted');
    });
  }

  for (const [title, { tp, tn }] of Object.entries(BASES)) {
    it(`correlation building block: ${title}`, () => {
      const rule = ruleNamed(title);
      assert.equal(rule.kind, 'detection');
      if (rule.kind !== 'detection') return;
      assert.equal(rule.match(toEvent(tp)), true, 'true positive did not match');
      assert.equal(rule.match(toEvent(tn)), false, 'true negative matched');
      assert.ok(!alertedRuleIds([tp]).includes(rule.id), 'a building block alerted on its own');
    });
  }

  for (const [title, { tp, tn }] of Object.entries(CORRELATIONS)) {
    it(`correlation rule: ${title}`, () => {
      const rule = ruleNamed(title);
      const positive = tp();
      assert.equal(
        alertedRuleIds(positive.records, positive.geos).filter((id) => id === rule.id).length,
        1,
        'true positive sequence did not alert exactly once',
      );
      const negative = tn();
      assert.ok(!alertedRuleIds(negative.records, negative.geos).includes(rule.id), 'true negative sequence alerted');
    });
  }
});
