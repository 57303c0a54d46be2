import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { AuditRecord } from '../core/audit-record.ts';
import { createAsnEnricher } from '../enrich/asn-enricher.ts';
import { normalize } from '../normalize/index.ts';
import { createDetector } from './detector.ts';
import { bundledRulesDir, loadRules } from './load-rules.ts';
import { backtrackingRisk } from './safe-regex.ts';
import {
  airInvestigation,
  atpDetection,
  cloudAppsAlert,
  complianceAlert,
  complianceCmdlet,
  consentToApp,
  directoryAudit,
  exchangeCmdlet,
  fileOperation,
  outlookInboxRule,
  sharePointEvent,
  signIn,
  threatMail,
} from './test-support/o365-records.ts';
import type { DetectableEvent, LoadedRule } from './types.ts';

const { rules, filters, errors } = loadRules([bundledRulesDir()]);
const byTitle = new Map(rules.map((r) => [r.title, r]));

/** The real ASN step (bundled data), as the pipeline runs it after normalize(). */
const asn = createAsnEnricher();

function toEvent(raw: AuditRecord, tenantId = 'contoso', geo?: string): DetectableEvent {
  const ecs = normalize(raw);
  asn.enrich(ecs);
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
/** The rule of each alert raised (an alert raised again, same id, counts once: consumers upsert). */
function alertedRuleIds(records: AuditRecord[], geos: (string | undefined)[] = []): string[] {
  const detector = createDetector({ rules, filters });
  const alerts = records.flatMap((r, i) => detector.process(toEvent(r, 'contoso', geos[i])));
  return [...new Map(alerts.map((a) => [a.id, a.ruleId])).values()];
}

/** One record or several: every true positive must alert, no true negative may. */
type Records = AuditRecord | AuditRecord[];
type Case = { tp: Records; tn: Records };
const each = (r: Records): AuditRecord[] => (Array.isArray(r) ? r : [r]);
const inbox = (params: Record<string, string>) =>
  exchangeCmdlet('New-InboxRule', { Name: 'Rule 1', StopProcessingRules: 'True', ...params });
/** The same operation, refused or failed (ResultStatus as each workload writes it). */
const failed = (r: AuditRecord): AuditRecord => ({
  ...r,
  Id: `${String(r.Id)}-failed`,
  ResultStatus: r.Workload === 'AzureActiveDirectory' ? 'Failure' : r.RecordType === 2 ? 'Failed' : 'False',
});
const forward = (recipients: string[]) => [{ ActionType: 'Forward', Recipients: recipients, ForwardFlags: 'None' }];
const TYCOON = { broker: '29d9ed98-a469-4536-ade2-f981bc1d605e', officeHome: '4765445b-32c6-49b0-83e6-1d93765276ca' };
const USERNAMEMIXED = 'WindowsAuthenticationController:usernamemixed';
/** A correlation id hard-coded in a credential testing script: the same value for every account it tries. */
const FIXED_CORRELATION_ID = '9f3c2a71-4b8e-4d2a-9c61-0e5b7d3f1a24';
const MAC_FIREFOX = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:109.0) Gecko/20100101 Firefox/115.0';

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
    tp: [
      inbox({ RedirectTo: 'partner@fabrikam.com' }),
      // Outlook desktop: the forward action is in OperationProperties.RuleActions (shape of a real record).
      outlookInboxRule(forward(['john.doe@fabrikam.fr', 'asmithee@fabrikam.fr']), '{(Exists(ItemClass))}'),
      outlookInboxRule([{ ActionType: 'redirect', Recipients: ['drop@fabrikam.net'] }]),
    ],
    tn: [
      inbox({ MoveToFolder: 'Newsletters', From: 'news@fabrikam.com' }),
      outlookInboxRule([{ ActionType: 'DeferAction', LengthOfDeferData: '1453' }]),
      failed(inbox({ ForwardTo: 'partner@fabrikam.com' })),
      failed(outlookInboxRule(forward(['john.doe@fabrikam.fr']))),
    ],
  },
  'Email Forwarding To A Consumer Mailbox': {
    tp: [
      exchangeCmdlet('Set-Mailbox', {
        Identity: 'alice',
        ForwardingSmtpAddress: 'smtp:alice.backup@Hotmail.FR',
        DeliverToMailboxAndForward: 'True',
      }),
      inbox({ ForwardTo: '"Bob" [SMTP:bob@outlook.de]' }),
      inbox({ RedirectTo: 'colleague@contoso.com;drop@mail.com' }),
      exchangeCmdlet('New-TransportRule', { Name: 'Copy', BlindCopyTo: 'x@yahoo.co.uk' }),
      outlookInboxRule(forward(['me@GMAIL.com'])),
    ],
    tn: [
      exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: 'smtp:alice@mail.comptabilite-durand.fr' }),
      inbox({ ForwardTo: 'bob@gmail.company.fr' }),
      inbox({ ForwardTo: 'ops@hotmail-support.fr' }),
      inbox({ ForwardTo: 'ops@mail.com.fabrikam.fr' }),
      outlookInboxRule(forward(['user@email.fr', 'user.name@mail.fr'])),
      failed(exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: 'smtp:alice.backup@gmail.com' })),
    ],
  },
  'Email Forwarding To A Privacy Or Disposable Mailbox': {
    tp: [
      exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: 'smtp:alice.backup@protonmail.com' }),
      inbox({ ForwardAsAttachmentTo: 'x@tuta.io' }),
      outlookInboxRule([{ ActionType: 'Redirect', Recipients: ['drop@Proton.Me'] }]),
    ],
    tn: [
      inbox({ ForwardTo: 'x@protonmail-consulting.com' }),
      inbox({ ForwardTo: 'x@proton.media.fr' }),
      failed(inbox({ ForwardTo: 'x@tuta.io' })),
    ],
  },
  'Email Forwarding To An Address With A Rarely Used Top-Level Domain': {
    tp: [
      inbox({ ForwardTo: 'billing@invoices-portal.top' }),
      exchangeCmdlet('Set-Mailbox', { Identity: 'alice', ForwardingSmtpAddress: 'SMTP:drop@mx.cfd' }),
      outlookInboxRule(forward(['x@mail.XYZ'])),
    ],
    tn: [
      inbox({ ForwardTo: 'x@shop.top-consulting.com' }),
      inbox({ ForwardTo: 'x@example.topaz.de' }),
      inbox({ ForwardTo: 'x@fabrikam.com' }),
      failed(inbox({ ForwardTo: 'billing@invoices-portal.top' })),
    ],
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
    tn: [
      directoryAudit('Remove member from role.', [
        { Name: 'Role.DisplayName', NewValue: '', OldValue: 'Exchange Administrator' },
      ]),
      directoryAudit('Add member to role.', [{ Name: 'Role.DisplayName', NewValue: 'Exchange Administrator', OldValue: '' }], {
        ResultStatus: 'Failure',
      }),
    ],
  },
  'Global Administrator Role Assigned': {
    tp: directoryAudit('Add member to role.', [
      { Name: 'Role.ObjectID', NewValue: '62d603c4-9712-4ea9-83c6-1e253fad40a4', OldValue: '' },
      { Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' },
    ]),
    tn: [
      directoryAudit('Add member to role.', [{ Name: 'Role.DisplayName', NewValue: 'Helpdesk Administrator', OldValue: '' }]),
      directoryAudit('Add member to role.', [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }], {
        ResultStatus: 'Failure',
      }),
    ],
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
    tp: [signIn('UserLoginFailed', { userAgent: 'axios/1.7.7' }), signIn('UserLoginFailed', { userAgent: 'FastHTTP' })],
    tn: [signIn('UserLoggedIn', {}), signIn('UserLoggedIn', { userAgent: 'Mozilla/5.0 (compatible; fasthttp-bench)' })],
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
    tp: [
      inbox({ SubjectOrBodyContainsWords: 'phishing;hacked;wire transfer', DeleteMessage: 'True' }),
      inbox({ SubjectContainsWords: 'Facture', MoveToFolder: 'alice:\\Flux RSS' }),
      inbox({ SubjectOrBodyContainsWords: 'Überweisung', MoveToFolder: 'Gelöschte Elemente' }),
      inbox({ BodyContainsWords: 'pago', MoveToFolder: 'Correo no deseado' }),
      inbox({ SubjectOrBodyContainsWords: 'bonifico', MoveToFolder: 'Posta eliminata' }),
      inbox({ SubjectContainsWords: 'Sécurité', MoveToFolder: 'Historique des conversations' }),
      inbox({ SubjectOrBodyContainsWords: 'INVOICE', MarkAsRead: 'true' }),
      inbox({ SubjectOrBodyContainsWords: 'payment', MoveToFolder: 'rss feeds' }),
      // Outlook desktop (UpdateInboxRules): condition text and actions from OperationProperties.
      outlookInboxRule(
        [{ ActionType: 'MoveToFolder', Folder: 'RSS Feeds' }],
        '{(SubString IgnoreCase(SubjectProperty)=payment)}',
      ),
      outlookInboxRule([{ ActionType: 'Delete' }], '{(SubString IgnoreCase(SubjectProperty)=Phishing alert)}'),
      outlookInboxRule(
        [{ ActionType: 'MoveToFolder', FolderName: '\\Éléments supprimés' }],
        '{(SubString(BodyProperty)=virement)}',
      ),
    ],
    tn: [
      inbox({ SubjectOrBodyContainsWords: 'WIRED magazine', DeleteMessage: 'True' }),
      inbox({ SubjectOrBodyContainsWords: 'Passwordless rollout', DeleteMessage: 'True' }),
      inbox({ SubjectOrBodyContainsWords: 'newsletter', MoveToFolder: 'Newsletters' }),
      inbox({ SubjectOrBodyContainsWords: 'invoice', MoveToFolder: 'Invoices 2026' }),
      inbox({ SubjectOrBodyContainsWords: 'invoice', MoveToFolder: 'Archive-Projects' }),
      failed(inbox({ SubjectOrBodyContainsWords: 'phishing', DeleteMessage: 'True' })),
      outlookInboxRule([{ ActionType: 'MoveToFolder', Folder: 'Projects' }], '{(SubString IgnoreCase(SubjectProperty)=payment)}'),
      outlookInboxRule([{ ActionType: 'Delete' }], '{(SubString IgnoreCase(SubjectProperty)=WIRED)}'),
    ],
  },
  'Defender For Office 365 Threat Detection (AtpDetection)': {
    tp: atpDetection(),
    tn: [fileOperation('FileUploaded', { file: 'invoice.docm' }), threatMail('Delivered')],
  },
  'Microsoft 365 Defender Or Compliance Medium Severity Alert': {
    tp: [complianceAlert('Suspicious email sending patterns detected', 'Medium'), cloudAppsAlert('Quarantine File')],
    tn: [
      complianceAlert('Suspicious email sending patterns detected', 'Low'),
      complianceAlert('Malware campaign detected', 'High'),
    ],
  },
  'Defender For Cloud Apps Suspicious Inbox Manipulation Rule Alert': {
    tp: [cloudAppsAlert('Suspicious inbox manipulation rule'), complianceAlert('Suspicious inbox manipulation rule')],
    tn: cloudAppsAlert('Suspicious inbox forwarding'),
  },
  'Defender For Cloud Apps Multiple Failed Login Attempts Alert': {
    tp: cloudAppsAlert('Multiple failed login attempts'),
    tn: cloudAppsAlert('Multiple delete VM activities'),
  },
  'Defender For Office 365 Automated Investigation Of A High Severity Alert': {
    tp: [airInvestigation('High', 'Running'), airInvestigation('high', 'Pending Action')],
    tn: [airInvestigation('High', 'No threats found'), airInvestigation('Medium', 'Running')],
  },
  'Defender For Office 365 Automated Investigation Of A Medium Severity Alert': {
    tp: airInvestigation('Medium', 'Threats Found'),
    tn: [airInvestigation('Medium', 'No threats found'), airInvestigation('Low', 'Threats Found')],
  },
  'Defender For Office 365 Low Severity Investigation Remediated Automatically': {
    tp: [airInvestigation('Low', 'Remediated'), airInvestigation('Informational', 'Remediated')],
    tn: [airInvestigation('Low', 'Pending Action'), airInvestigation('High', 'Remediated')],
  },
  'Defender For Office 365 Low Severity Investigation Waiting For Approval': {
    tp: airInvestigation('Informational', 'Pending Action'),
    tn: [airInvestigation('Low', 'Remediated'), airInvestigation('Medium', 'Pending Action')],
  },
  'Consent Granted To An Application Abused In Email Compromises': {
    tp: [consentToApp('eM Client', 'EWS.AccessAsUser.All offline_access'), consentToApp('perfectdata software', 'Mail.Read')],
    tn: [consentToApp('eM Client Companion', 'Mail.Read'), consentToApp('eM Client', 'Mail.Read', { ResultStatus: 'Failure' })],
  },
  'Consent Grants Mailbox, Files Or Directory Write Access To An Application': {
    tp: [
      consentToApp('Mail Backup Pro', 'Mail.ReadWrite offline_access'),
      consentToApp('Doc Sync', 'User.Read files.readwrite.all'),
      consentToApp('Exchange Tool', 'full_access_as_app'),
    ],
    tn: [
      consentToApp('Calendar Helper', 'User.Read openid profile offline_access Mail.ReadBasic Calendars.Read'),
      consentToApp('Mail Backup Pro', 'Mail.ReadWrite', { ResultStatus: 'Failure' }),
    ],
  },
  'Sign-In Without A User Agent': {
    tp: [signIn('UserLoggedIn', { userAgent: null }), signIn('UserLoginFailed', { userAgent: '' })],
    tn: [signIn('UserLoggedIn', { userAgent: 'BAV2ROPC' }), signIn('UserLoginFailed')],
  },
  'Password Accepted Through The Seamless SSO usernamemixed Endpoint': {
    tp: [
      signIn('UserLoggedIn', { requestType: USERNAMEMIXED }),
      signIn('UserLoginFailed', {
        requestType: USERNAMEMIXED,
        errorNumber: '50074',
        logonError: 'UserStrongAuthClientAuthNRequired',
      }),
    ],
    tn: [signIn('UserLoginFailed', { requestType: USERNAMEMIXED }), signIn('UserLoggedIn', { requestType: 'Login:login' })],
  },
  'Sign-In Matching The Tycoon 2FA Phishing Kit': {
    tp: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, objectId: TYCOON.officeHome, userAgent: 'node' }),
      signIn('UserLoginFailed', {
        applicationId: TYCOON.broker,
        objectId: '00000002-0000-0ff1-ce00-000000000000',
        userAgent: 'axios/1.7.7',
      }),
    ],
    tn: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, objectId: TYCOON.officeHome }),
      signIn('UserLoggedIn', {
        applicationId: TYCOON.broker,
        objectId: '00000003-0000-0ff1-ce00-000000000000',
        userAgent: 'axios/1.7.7',
      }),
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, objectId: TYCOON.officeHome, userAgent: 'nodejs-app/2.0' }),
    ],
  },
  // Addresses from the bundled ASN data: 45.38.68.5 and 2a01:8640:4::9 are HZ Hosting (AS202015), 2.26.188.9 is
  // Cogent (AS174), 52.95.110.1 is Amazon (AS16509), 2.3.0.9 is Orange (AS3215).
  "Sign-In Through OfficeHome From The CEPHAS 2FA Phishing Kit's Network": {
    tp: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, objectId: TYCOON.officeHome, ip: '45.38.68.5' }),
      signIn('UserLoginFailed', { applicationId: TYCOON.officeHome.toUpperCase(), ip: '[2a01:8640:4::9]:443' }),
    ],
    tn: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, ip: '2.3.0.9' }),
      signIn('UserLoggedIn', { applicationId: TYCOON.broker, ip: '45.38.68.5' }),
      { ...fileOperation('FileDownloaded'), ClientIP: '45.38.68.5', ApplicationId: TYCOON.officeHome },
    ],
  },
  "Sign-In Through OfficeHome From The Gabagool Phishing Kit's Network": {
    tp: signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, ip: '2.26.188.9' }),
    tn: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, ip: '52.95.110.1' }),
      signIn('UserLoggedIn', { applicationId: TYCOON.broker, ip: '2.26.188.9' }),
    ],
  },
  "Sign-In Through OfficeHome From The Greatness Phishing Kit's Network": {
    tp: signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, ip: '52.95.110.1' }),
    tn: [
      signIn('UserLoggedIn', { applicationId: TYCOON.officeHome, ip: '2.26.188.9' }),
      signIn('UserLoggedIn', { ip: '52.95.110.1' }),
    ],
  },
  'Activity From A Tor Exit Node': {
    tp: [
      signIn('UserLoggedIn', { ip: '185.220.101.34' }),
      signIn('UserLoggedIn', { ip: '2a0b:f4c2::18' }),
      exchangeCmdlet('New-InboxRule', { Name: 'x', DeleteMessage: 'True' }, { ClientIP: '[2A0B:F4C2:0001::140]:50123' }),
      { ...fileOperation('FileDownloaded'), ClientIP: '109.70.100.4' },
    ],
    tn: [
      signIn('UserLoggedIn', { ip: '185.220.101.192' }),
      signIn('UserLoggedIn', { ip: '85.220.101.34' }),
      signIn('UserLoggedIn', { ip: '185.220.101.340' }),
      signIn('UserLoginFailed', { ip: '185.220.101.34' }),
    ],
  },
  'Email With A Suspicious Attachment Type Received': {
    tp: [
      threatMail('Delivered', ['invoice.pdf', 'Invoice_2026.PDF.EXE']),
      threatMail('DeliveredAsSpam', ['scan.iso']),
      threatMail('Delivered', ['meeting notes.one']),
    ],
    tn: [
      threatMail('Blocked', ['payload.exe']),
      threatMail('Delivered', ['invoice.exe.pdf', 'setup.exe.txt']),
      threatMail('Delivered', ['report.docx']),
    ],
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
  'Sign-In Attempt (correlation base)': {
    tp: [signIn('UserLoginFailed'), signIn('UserLoggedIn')],
    tn: directoryAudit('Update user.', [{ Name: 'AccountEnabled', NewValue: 'true', OldValue: 'false' }]),
  },
  'File Deleted In SharePoint Or OneDrive (correlation base)': {
    tp: fileOperation('FileRecycled'),
    tn: fileOperation('FileRestored'),
  },
};

/**
 * Single-event rules whose records have no meaningful failure: sign-in records (a failed sign-in is its own event),
 * alerts and verdicts raised by Microsoft, file activity without a ResultStatus.
 */
const ALERTS_WHATEVER_THE_RESULT = new Set([
  'Azure Login Bypassing Conditional Access Policies',
  'Suspicious Email Delivered In Microsoft 365',
  'Activity Performed by Terminated User',
  'Activity from Anonymous IP Addresses',
  'Activity from Infrequent Country',
  'Activity from Suspicious IP Addresses',
  'Data Exfiltration to Unsanctioned Apps',
  'Microsoft 365 - Impossible Travel Activity',
  'Logon from a Risky IP Address',
  'Microsoft 365 - Potential Ransomware Activity',
  'PST Export Alert Using eDiscovery Alert',
  'Suspicious Inbox Forwarding',
  'Suspicious OAuth App File Download Activities',
  'Microsoft 365 - Unusual Volume of File Deletion',
  'Microsoft 365 - User Restricted from Sending Email',
  'Sign-In With The Device Code Flow',
  'Sign-In With Legacy Authentication (ROPC)',
  'Sign-In From An Offensive Tool Or Scripted Client',
  'Sign-In Without A User Agent',
  'Password Accepted Through The Seamless SSO usernamemixed Endpoint',
  'Sign-In Matching The Tycoon 2FA Phishing Kit',
  "Sign-In Through OfficeHome From The CEPHAS 2FA Phishing Kit's Network",
  "Sign-In Through OfficeHome From The Gabagool Phishing Kit's Network",
  "Sign-In Through OfficeHome From The Greatness Phishing Kit's Network",
  'Malware Detected In A SharePoint Or OneDrive File',
  'SharePoint Or OneDrive File Access With PowerShell',
  'Microsoft 365 Defender Or Compliance High Severity Alert',
  'Microsoft 365 Defender Or Compliance Medium Severity Alert',
  'Defender For Office 365 Threat Detection (AtpDetection)',
  'Defender For Cloud Apps Suspicious Inbox Manipulation Rule Alert',
  'Defender For Cloud Apps Multiple Failed Login Attempts Alert',
  'Defender For Office 365 Automated Investigation Of A High Severity Alert',
  'Defender For Office 365 Automated Investigation Of A Medium Severity Alert',
  'Defender For Office 365 Low Severity Investigation Remediated Automatically',
  'Defender For Office 365 Low Severity Investigation Waiting For Approval',
  'Email With A Suspicious Attachment Type Received',
  // Whoever runs a command from a Tor exit is signed in, whether the command then fails or not.
  'Activity From A Tor Exit Node',
]);

/** Every `|re` value of the rule files under `dir`, with its file. */
function regexValues(dir: string): { file: string; pattern: string }[] {
  const out: { file: string; pattern: string }[] = [];
  const visit = (node: unknown, file: string): void => {
    if (Array.isArray(node)) for (const item of node) visit(item, file);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key.split('|').includes('re'))
          for (const v of Array.isArray(value) ? value : [value]) out.push({ file, pattern: String(v) });
        else visit(value, file);
      }
    }
  };
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) visit((doc as { toJS(): unknown }).toJS(), file);
  }
  return out;
}

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

/** Intermediate correlations (Sigma generate: false) → the correlation they feed, whose true positive exercises them. */
const CHAIN_STEPS: Record<string, string> = {
  'Brute Force Against A User Account (first step of the follow-up correlation)': 'Brute Force Followed By A Successful Sign-In',
};

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
  'User Agent Changes Within One Sign-In Flow (Sneaky 2FA Device Shift)': {
    tp: () => ({
      records: [
        signIn('UserLoginFailed', { minute: 0, correlationId: 'flow-1', logonError: 'UserStrongAuthClientAuthNRequired' }),
        signIn('UserLoggedIn', { minute: 1, correlationId: 'flow-1', userAgent: MAC_FIREFOX }),
      ],
    }),
    tn: () => ({
      records: [
        // A PC then a Mac, each with its own sign-in flow; and one flow with a single browser.
        signIn('UserLoggedIn', { minute: 0, correlationId: 'flow-1' }),
        signIn('UserLoggedIn', { minute: 1, correlationId: 'flow-2', userAgent: MAC_FIREFOX }),
        signIn('UserLoggedIn', { minute: 2, correlationId: 'flow-2', userAgent: MAC_FIREFOX }),
      ],
    }),
  },
  'One Sign-In Correlation Id Reused For Several Accounts': {
    tp: () => ({
      records: shuffle([
        signIn('UserLoginFailed', { user: 'Bob@Contoso.com', correlationId: FIXED_CORRELATION_ID, minute: 0 }),
        signIn('UserLoginFailed', {
          user: 'carol@contoso.com',
          correlationId: FIXED_CORRELATION_ID,
          minute: 7,
          errorNumber: '50074',
          logonError: 'UserStrongAuthClientAuthNRequired',
          userAgent: null,
        }),
        signIn('UserLoggedIn', { user: 'dave@contoso.com', correlationId: FIXED_CORRELATION_ID, minute: 41, ip: '203.0.113.77' }),
      ]),
    }),
    tn: () => ({
      records: [
        // One person retrying under one flow (the case of the name changes, not the account),
        ...['ALICE@contoso.com', 'alice@contoso.com', 'Alice@Contoso.com'].map((user, minute) =>
          signIn('UserLoginFailed', { user, correlationId: FIXED_CORRELATION_ID, minute }),
        ),
        // an admin switching to a second account in the same flow,
        signIn('UserLoggedIn', { user: 'admin-alice@contoso.com', correlationId: FIXED_CORRELATION_ID, minute: 3 }),
        // three accounts with a fresh id each, and one id reused by two more accounts hours apart.
        ...range(3).map((i) =>
          signIn('UserLoginFailed', { user: `user${i}@contoso.com`, correlationId: `flow-${i}`, minute: i }),
        ),
        signIn('UserLoginFailed', { user: 'erin@contoso.com', correlationId: 'reused-late', minute: 0 }),
        signIn('UserLoginFailed', { user: 'frank@contoso.com', correlationId: 'reused-late', minute: 90 }),
        signIn('UserLoginFailed', { user: 'grace@contoso.com', correlationId: 'reused-late', minute: 180 }),
      ],
    }),
  },
  'Successful Sign-Ins From Two IP Addresses Within 3 Minutes': {
    tp: () => ({
      records: [signIn('UserLoggedIn', { minute: 2, ip: '203.0.113.50' }), signIn('UserLoggedIn', { minute: 0 })],
    }),
    tn: () => ({
      records: [
        signIn('UserLoggedIn', { minute: 0 }),
        signIn('UserLoginFailed', { minute: 1, ip: '203.0.113.50' }),
        signIn('UserLoggedIn', { minute: 5, ip: '203.0.113.50' }),
      ],
    }),
  },
  'One Sign-In Session Used From Two IP Addresses': {
    tp: () => ({
      records: [
        signIn('UserLoggedIn', { minute: 0, sessionId: 'session-1' }),
        signIn('UserLoggedIn', { minute: 8, sessionId: 'session-1', ip: '203.0.113.50' }),
      ],
    }),
    tn: () => ({
      records: [
        signIn('UserLoggedIn', { minute: 0, sessionId: 'session-1' }),
        signIn('UserLoggedIn', { minute: 4, sessionId: 'session-2', ip: '203.0.113.50' }),
        signIn('UserLoggedIn', { minute: 6, sessionId: 'session-1' }),
      ],
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
    const tested = new Set([
      ...Object.keys(SINGLE),
      ...Object.keys(BASES),
      ...Object.keys(CORRELATIONS),
      ...Object.keys(CHAIN_STEPS),
    ]);
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
      for (const [i, record] of each(tp).entries())
        assert.ok(alertedRuleIds([record]).includes(rule.id), `true positive #${i} did not alert`);
      for (const [i, record] of each(tn).entries())
        assert.ok(!alertedRuleIds([record]).includes(rule.id), `true negative #${i} alerted`);
    });
  }

  it('no rule about a change fires when the operation failed', () => {
    const stillAlerting = Object.entries(SINGLE)
      .filter(([title]) => !ALERTS_WHATEVER_THE_RESULT.has(title))
      .flatMap(([title, { tp }]) =>
        each(tp)
          .filter((record) => alertedRuleIds([failed(record)]).includes(ruleNamed(title).id))
          .map((record) => `${title}: ${String(record.Operation)}`),
      );
    assert.deepEqual(stillAlerting, []);
  });

  it('every regular expression loads without RE2 too (no nested quantifier, look-around or back-reference)', () => {
    const risky = regexValues(bundledRulesDir())
      .map(({ file, pattern }) => ({ file, pattern, risk: backtrackingRisk(pattern) }))
      .filter((r) => r.risk !== undefined);
    assert.deepEqual(risky, []);
  });

  it('the Sekoia.io coverage table in README.md names 48 rules and only files that exist', () => {
    const readme = readFileSync(join(bundledRulesDir(), '..', 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| \d+ \|/.test(line));
    assert.equal(rows.length, 48);
    const files = new Set(readdirSync(bundledRulesDir(), { recursive: true }).map((f) => String(f).split('/').pop()));
    const named = rows.flatMap((row) => [...row.matchAll(/`([\w.-]+\.yml)`/g)].map((m) => m[1]!));
    assert.deepEqual(
      named.filter((f) => !files.has(f)),
      [],
    );
    const covered = rows.filter((row) => !row.includes('**Not covered**')).length;
    assert.ok(readme.includes(`**${covered} covered**`), `${covered} rows covered`);
  });

  it('the own AiTM relay feed example of README.md loads and matches relay addresses only', () => {
    const readme = readFileSync(join(bundledRulesDir(), '..', 'README.md'), 'utf8');
    const example = /#### Your own AiTM relay feed[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example, 'no yaml example under "Your own AiTM relay feed"');
    const dir = mkdtempSync(join(tmpdir(), 'relay-feed-'));
    writeFileSync(join(dir, 'relay-feed.yml'), example);
    const feed = loadRules([dir]);
    rmSync(dir, { recursive: true });
    assert.deepEqual(
      feed.errors.map((e) => e.message),
      [],
    );
    const detector = createDetector({ rules: feed.rules, filters: [] });
    const alerts = (r: AuditRecord) => detector.process(toEvent(r)).length;
    assert.equal(alerts(signIn('UserLoggedIn', { ip: '192.0.2.77' })), 1);
    assert.equal(alerts(signIn('UserLoginFailed', { ip: '2001:DB8:47::9' })), 1);
    assert.equal(alerts(signIn('UserLoggedIn', { ip: '192.0.3.77' })), 0);
    assert.equal(alerts(exchangeCmdlet('Set-Mailbox', { Identity: 'bob' }, { ClientIP: '192.0.2.77:443' })), 0);
  });

  for (const [title, { tp, tn }] of Object.entries(BASES)) {
    it(`correlation building block: ${title}`, () => {
      const rule = ruleNamed(title);
      assert.equal(rule.kind, 'detection');
      if (rule.kind !== 'detection') return;
      for (const record of each(tp)) {
        assert.equal(rule.match(toEvent(record)), true, 'true positive did not match');
        assert.ok(!alertedRuleIds([record]).includes(rule.id), 'a building block alerted on its own');
      }
      for (const record of each(tn)) assert.equal(rule.match(toEvent(record)), false, 'true negative matched');
    });
  }

  for (const [title, chained] of Object.entries(CHAIN_STEPS)) {
    it(`intermediate correlation: ${title} alerts only through ${chained}`, () => {
      const positive = CORRELATIONS[chained]!.tp();
      const ids = alertedRuleIds(positive.records, positive.geos);
      assert.ok(ids.includes(ruleNamed(chained).id), 'the chained correlation did not alert');
      assert.ok(!ids.includes(ruleNamed(title).id), 'an intermediate correlation alerted on its own');
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
