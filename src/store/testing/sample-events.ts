import type { Alert } from '../../core/alert.ts';
import type { AuditRecord } from '../../core/audit-record.ts';
import type { ProcessedEvent } from '../../core/processed-event.ts';

/** Realistic, deterministic events and alerts for tests of the store and the web UI. */

export const TENANTS = [
  { id: 'a3c1e7f0-1111-4c2d-9e8f-0123456789ab', name: 'contoso' },
  { id: 'b7d2f8e1-2222-4d3e-8f90-123456789abc', name: 'fabrikam' },
] as const;

interface Template {
  operation: string;
  workload: string;
  contentType: string;
  recordType: number;
  status: string;
  category: string;
  describe: (user: string, ip: string) => string;
  extra: (i: number) => Record<string, unknown>;
}

const TEMPLATES: Template[] = [
  {
    operation: 'UserLoggedIn',
    workload: 'AzureActiveDirectory',
    contentType: 'Audit.AzureActiveDirectory',
    recordType: 15,
    status: 'Succeeded',
    category: 'authentication',
    describe: (u, ip) => `${u} logged in from ${ip}`,
    extra: () => ({
      ExtendedProperties: [
        { Name: 'UserAgent', Value: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0' },
        { Name: 'RequestType', Value: 'OAuth2:Authorize' },
      ],
    }),
  },
  {
    operation: 'UserLoginFailed',
    workload: 'AzureActiveDirectory',
    contentType: 'Audit.AzureActiveDirectory',
    recordType: 15,
    status: 'Failed',
    category: 'authentication',
    describe: (u, ip) => `${u} failed to log in from ${ip}`,
    extra: () => ({ LogonError: 'InvalidUserNameOrPassword', ErrorNumber: '50126' }),
  },
  {
    operation: 'New-InboxRule',
    workload: 'Exchange',
    contentType: 'Audit.Exchange',
    recordType: 1,
    status: 'True',
    category: 'configuration',
    describe: (u) => `${u} created an inbox rule forwarding mail externally`,
    extra: (i) => ({
      Parameters: [
        { Name: 'Name', Value: `fwd-${i}` },
        { Name: 'ForwardTo', Value: 'drop@evil.example' },
        { Name: 'DeleteMessage', Value: 'True' },
      ],
    }),
  },
  {
    operation: 'FileDownloaded',
    workload: 'SharePoint',
    contentType: 'Audit.SharePoint',
    recordType: 6,
    status: 'Succeeded',
    category: 'file',
    describe: (u) => `${u} downloaded Q3-payroll.xlsx`,
    extra: (i) => ({
      ObjectId: `https://contoso.sharepoint.com/sites/finance/Shared Documents/Q3-payroll-${i}.xlsx`,
      SourceFileName: 'Q3-payroll.xlsx',
      SiteUrl: 'https://contoso.sharepoint.com/sites/finance/',
    }),
  },
  {
    operation: 'Add member to role.',
    workload: 'AzureActiveDirectory',
    contentType: 'Audit.AzureActiveDirectory',
    recordType: 8,
    status: 'Success',
    category: 'iam',
    describe: (u) => `${u} added a member to role Global Administrator`,
    extra: () => ({ ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }] }),
  },
  {
    operation: 'MailItemsAccessed',
    workload: 'Exchange',
    contentType: 'Audit.Exchange',
    recordType: 50,
    status: 'Succeeded',
    category: 'email',
    describe: (u) => `${u} accessed mail items`,
    extra: () => ({ MailboxOwnerUPN: 'ceo@contoso.com', OperationCount: 12 }),
  },
];

const USERS = ['alice@contoso.com', 'bob@contoso.com', 'mallory@contoso.com', 'svc-backup@contoso.com'];
const IPS = ['203.0.113.7', '198.51.100.23', '2001:db8::42', '192.0.2.200'];

function pad(n: number): string {
  return n.toString(16).padStart(12, '0');
}

/** `count` events, one every `stepMs` going back from `newest`, cycling over tenants, users, IPs and operations. */
export function sampleEvents(count: number, newest = Date.parse('2026-11-24T12:00:00Z'), stepMs = 60_000): ProcessedEvent[] {
  const events: ProcessedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const tenant = TENANTS[i % TENANTS.length]!;
    const template = TEMPLATES[i % TEMPLATES.length]!;
    const user = USERS[Math.floor(i / 2) % USERS.length]!;
    const ip = IPS[Math.floor(i / 3) % IPS.length]!;
    const time = newest - i * stepMs;
    const recordId = `7f3e9a10-0000-4000-8000-${pad(i)}`;
    const raw: AuditRecord = {
      CreationTime: new Date(time).toISOString().slice(0, 19),
      Id: recordId,
      Operation: template.operation,
      OrganizationId: tenant.id,
      RecordType: template.recordType,
      ResultStatus: template.status,
      UserKey: `1003200${i}`,
      UserType: 0,
      Version: 1,
      Workload: template.workload,
      ClientIP: ip,
      ObjectId: user,
      UserId: user,
      ...template.extra(i),
    };
    const outcome = /^(succeeded|success|true)$/i.test(template.status) ? 'success' : 'failure';
    events.push({
      id: `${tenant.id}:${recordId}`,
      tenantId: tenant.id,
      tenantName: tenant.name,
      contentType: template.contentType,
      time,
      raw,
      ecs: {
        '@timestamp': new Date(time).toISOString(),
        event: { action: template.operation, category: [template.category], code: String(template.recordType), outcome },
        service: { name: template.workload },
        source: { ip, address: ip },
        user: { name: user.split('@')[0], email: user, id: user, domain: user.split('@')[1] },
        organization: { id: tenant.id },
        office365: { record_id: recordId, record_type: template.recordType, result_status: template.status },
        related: { ip: [ip], user: [user] },
      },
      description: template.describe(user, ip),
    });
  }
  return events;
}

/** An alert over some of the given events (all of one tenant). */
export function sampleAlert(events: readonly ProcessedEvent[], overrides: Partial<Alert> = {}): Alert {
  const first = events[0]!;
  return {
    id: `alert-${first.id}`,
    ruleId: '2f5c8d11-inbox-rule-forward',
    title: 'Inbox rule forwarding to an external address',
    level: 'high',
    description: 'A user created an inbox rule that forwards mail outside the organization and deletes it.',
    author: 'o365-intake',
    tags: ['attack.collection', 'attack.t1114.003'],
    attack: ['T1114.003'],
    tenantId: first.tenantId,
    tenantName: first.tenantName,
    time: Math.max(...events.map((e) => e.time)),
    createdAt: Math.max(...events.map((e) => e.time)) + 5_000,
    eventIds: events.map((e) => e.id),
    ...overrides,
  };
}
