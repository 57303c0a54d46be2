import type { AuditRecord } from '../../core/audit-record.ts';
import { ipFromCountry } from './network.ts';
import { baseRecord, nameValue, pickOtherUser, pickUser, type RecordContext, type RecordTemplate } from './template.ts';

function userRecord(
  ctx: RecordContext,
  recordType: number,
  operation: string,
  workload: string,
  extra: Record<string, unknown>,
  resultStatus?: string,
): AuditRecord {
  const user = pickUser(ctx);
  const record = baseRecord(ctx, {
    RecordType: recordType,
    Operation: operation,
    Workload: workload,
    ResultStatus: resultStatus,
    UserKey: user.objectId,
    UserId: user.upn,
    ClientIP: ipFromCountry(ctx.rng, user.country),
  });
  return Object.assign(record, extra);
}

function teams(ctx: RecordContext): AuditRecord {
  const op = ctx.rng.pick(['MemberAdded', 'MessageSent', 'TeamCreated', 'ChannelAdded', 'MeetingParticipantDetail'] as const);
  const team = ctx.rng.pick(['Finance', 'Project Apollo', 'IT Support', 'All Company']);
  const member = pickUser(ctx);
  return userRecord(ctx, 25, op, 'MicrosoftTeams', {
    AADGroupId: ctx.rng.guid(),
    CommunicationType: 'Team',
    ...(op === 'MemberAdded'
      ? { Members: [{ DisplayName: member.displayName, Role: ctx.rng.pick([1, 2, 3]), UPN: member.upn }] }
      : {}),
    ...(op === 'MessageSent'
      ? {
          ChannelName: 'General',
          MessageId: String(ctx.rng.int(1700000000000, 1799999999999)),
          MessageSizeInBytes: ctx.rng.int(200, 5000),
        }
      : {}),
    TeamGuid: `19:${ctx.rng.hex(32)}@thread.tacv2`,
    ItemName: team,
    TeamName: team,
  });
}

function threatMail(ctx: RecordContext): AuditRecord {
  const recipient = pickUser(ctx);
  const phish = ctx.rng.chance(0.5);
  const record = baseRecord(ctx, {
    RecordType: 28,
    Operation: 'TIMailData',
    Workload: 'ThreatIntelligence',
    UserKey: 'ThreatIntel',
    UserType: 4,
    UserId: 'ThreatIntel',
    ObjectId: ctx.rng.guid(),
  });
  const sender = `${ctx.rng.pick(['billing', 'no-reply', 'it-support'])}@${ctx.rng.pick(['secure-paypa1.example', 'micros0ft-login.example', 'dhl-track.example'])}`;
  return Object.assign(record, {
    AttachmentData: phish
      ? []
      : [{ FileName: 'invoice.html', FileType: 'html', FileVerdict: 1, MalwareFamily: 'HTML/Phish', SHA256: ctx.rng.hex(64) }],
    AuthDetails: nameValue({ SPF: 'Fail', DKIM: 'None', DMARC: 'Permanent error', 'Comp Auth': 'fail' }),
    Connector: `${ctx.rng.guid()}: [Inbound from ${ctx.rng.guid()}]`,
    DeliveryAction: 'Blocked',
    DetectionMethod: phish ? 'Fingerprint matching' : 'Antimalware protection',
    DetectionType: ctx.rng.pick(['Inline', 'Inline', 'ZAP']),
    Directionality: 'Inbound',
    EventDeepLink: `https://security.microsoft.com/?hash=/threatexplorer?messageParams=${record.ObjectId as string}`,
    InternetMessageId: `<${ctx.rng.hex(20)}@mail.example>`,
    LatestDeliveryLocation: 'Quarantine',
    MessageTime: record.CreationTime,
    NetworkMessageId: record.ObjectId,
    OriginalDeliveryLocation: 'Quarantine',
    P1Sender: sender,
    P2Sender: sender,
    PhishConfidenceLevel: phish ? 'High' : undefined,
    Policy: phish ? 'HighConfidencePhish' : 'Malware',
    PolicyAction: 'Quarantine',
    Recipients: [recipient.upn],
    SenderIp: ipFromCountry(ctx.rng, ctx.rng.pick(['RU', 'NG', 'CN'])),
    Subject: ctx.rng.pick(['Your invoice is ready', 'Action required: password expires today', 'Shared document']),
    SystemOverrides: [],
    Verdict: phish ? 'Phish' : 'Malware',
  });
}

function urlClick(ctx: RecordContext): AuditRecord {
  const user = pickUser(ctx);
  const record = baseRecord(ctx, {
    RecordType: 41,
    Operation: 'TIUrlClickData',
    Workload: 'ThreatIntelligence',
    ResultStatus: 'Succeeded',
    UserKey: 'ThreatIntel',
    UserType: 4,
    UserId: user.upn,
    ObjectId: `https://${ctx.rng.pick(['login-micros0ft.example', 'docs-share.example'])}/${ctx.rng.hex(8)}`,
  });
  return Object.assign(record, {
    AppName: ctx.rng.pick(['Mail', 'Teams', 'Word']),
    URLClickAction: ctx.rng.pick([2, 3, 4]),
    SourceId: ctx.rng.guid(),
    TimeOfClick: `${record.CreationTime as string}.${String(ctx.rng.int(0, 9999999)).padStart(7, '0')}Z`,
    Url: record.ObjectId,
    UserIp: ipFromCountry(ctx.rng, user.country),
  });
}

function atpDetection(ctx: RecordContext): AuditRecord {
  const user = pickUser(ctx);
  const file = ctx.rng.pick(['payload.docm', 'setup.exe', 'report.xlsm']);
  const record = baseRecord(ctx, {
    RecordType: 47,
    Operation: 'AtpDetection',
    Workload: 'ThreatIntelligence',
    UserKey: 'ThreatIntel',
    UserType: 4,
    UserId: 'ThreatIntel',
    ObjectId: `https://${ctx.tenant.shortName}.sharepoint.com/sites/Sales/Shared Documents/${file}`,
  });
  return Object.assign(record, {
    DetectionMethod: 'Antimalware protection',
    EventDeepLink: `https://security.microsoft.com/?hash=/threatexplorer`,
    FileData: {
      DocumentId: ctx.rng.guid(),
      FileName: file,
      FilePath: record.ObjectId,
      FileVerdict: 1,
      MalwareFamily: ctx.rng.pick(['Trojan:Win32/Emotet', 'TrojanDownloader:O97M/Qakbot']),
      SHA256: ctx.rng.hex(64),
      FileSize: ctx.rng.int(20000, 900000),
    },
    LastModifiedBy: user.upn,
    LastModifiedDate: `${record.CreationTime as string}Z`,
    SourceWorkload: ctx.rng.int(0, 2),
  });
}

function sccAlert(ctx: RecordContext): AuditRecord {
  const name = ctx.rng.pick([
    'Email messages containing malicious URL removed after delivery',
    'Suspicious email sending patterns detected',
    'User restricted from sending email',
    'Elevation of Exchange admin privilege',
  ]);
  const user = pickUser(ctx);
  const record = baseRecord(ctx, {
    RecordType: 40,
    Operation: ctx.rng.pick(['AlertTriggered', 'AlertEntityGenerated', 'AlertUpdated']),
    Workload: 'SecurityComplianceCenter',
    ResultStatus: 'Succeeded',
    UserKey: 'SecurityComplianceAlerts',
    UserType: 4,
    UserId: 'SecurityComplianceAlerts',
    ObjectId: ctx.rng.guid(),
  });
  return Object.assign(record, {
    AlertId: record.ObjectId,
    AlertType: 'System',
    Name: name,
    PolicyId: ctx.rng.guid(),
    Status: 'Active',
    Severity: ctx.rng.pick(['Low', 'Medium', 'High', 'Informational']),
    Category: 'ThreatManagement',
    Source: 'Office 365 Security & Compliance',
    Comments: 'New alert',
    AlertLinks: [],
    Data: JSON.stringify({
      f3u: user.upn,
      ts: `${record.CreationTime as string}Z`,
      te: `${record.CreationTime as string}Z`,
      op: 'ThreatIntelligence',
      wl: 'ThreatIntelligence',
    }),
    AlertEntityId: user.upn,
    EntityType: 'User',
  });
}

function airInvestigation(ctx: RecordContext): AuditRecord {
  const record = baseRecord(ctx, {
    RecordType: 64,
    Operation: 'InvestigationStarted',
    Workload: 'AirInvestigation',
    ResultStatus: 'Succeeded',
    UserKey: 'AirInvestigation',
    UserType: 4,
    UserId: 'AirInvestigation',
    ObjectId: ctx.rng.guid(),
  });
  return Object.assign(record, {
    InvestigationId: `urn:MailEntityInvestigation:${ctx.rng.hex(32)}`,
    InvestigationName: 'Email reported by user as malware or phish',
    InvestigationType: 'UserReportedPhish',
    LastUpdateTimeUtc: `${record.CreationTime as string}Z`,
    StartTimeUtc: `${record.CreationTime as string}Z`,
    Status: ctx.rng.pick(['Running', 'Remediated', 'No threats found']),
    DeepLinkUrl: 'https://security.microsoft.com/airinvestigation',
    Actions: [],
    Data: '{}',
  });
}

function mcasAlert(ctx: RecordContext): AuditRecord {
  const record = baseRecord(ctx, {
    RecordType: 98,
    Operation: 'AlertTriggered',
    Workload: 'MicrosoftCloudAppSecurity',
    ResultStatus: 'Succeeded',
    UserKey: 'MCASAlerts',
    UserType: 4,
    UserId: 'MCASAlerts',
    ObjectId: ctx.rng.hex(24),
  });
  const user = pickUser(ctx);
  return Object.assign(record, {
    AlertId: record.ObjectId,
    AlertType: 'System',
    Name: ctx.rng.pick(['Impossible travel activity', 'Activity from infrequent country', 'Mass download by a single user']),
    Severity: 'Medium',
    Status: 'Active',
    Category: 'ThreatManagement',
    Source: 'Cloud App Security',
    EntityType: 'User',
    AlertEntityId: user.upn,
    Data: JSON.stringify({ f3u: user.upn, an: 'Impossible travel activity' }),
  });
}

export const GENERAL_TEMPLATES: RecordTemplate[] = [
  { kind: 'teams.activity', contentType: 'Audit.General', weight: 12, build: teams },
  {
    kind: 'powerbi.activity',
    contentType: 'Audit.General',
    weight: 3,
    build: (ctx) =>
      userRecord(ctx, 20, ctx.rng.pick(['ViewReport', 'ExportReport', 'ViewDashboard']), 'PowerBI', {
        Activity: 'ViewReport',
        ItemName: ctx.rng.pick(['Sales KPIs', 'Finance overview']),
        WorkSpaceName: 'Finance',
        DatasetName: 'Finance',
        ReportName: 'Sales KPIs',
        WorkspaceId: ctx.rng.guid(),
        ObjectId: 'Sales KPIs',
        DatasetId: ctx.rng.guid(),
        ReportId: ctx.rng.guid(),
        IsSuccess: true,
        RequestId: ctx.rng.guid(),
        ActivityId: ctx.rng.guid(),
        UserAgent:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36',
        DistributionMethod: 'Workspace',
        ConsumptionMethod: 'Power BI Web',
      }),
  },
  {
    kind: 'yammer.activity',
    contentType: 'Audit.General',
    weight: 1,
    build: (ctx) =>
      userRecord(ctx, 22, ctx.rng.pick(['MessageCreated', 'GroupCreation', 'FileVisited']), 'Yammer', {
        ActorUserId: ctx.rng.pick(ctx.tenant.users).upn,
        ActorYammerUserId: ctx.rng.int(1000000, 9999999),
        GroupName: 'All Company',
        YammerNetworkId: ctx.rng.int(100000, 999999),
      }),
  },
  {
    kind: 'forms.activity',
    contentType: 'Audit.General',
    weight: 1,
    build: (ctx) =>
      userRecord(
        ctx,
        66,
        ctx.rng.pick(['CreateForm', 'ViewForm', 'ViewResponses', 'EditForm']),
        'MicrosoftForms',
        {
          FormId: ctx.rng.hex(48),
          FormName: ctx.rng.pick(['Team survey', 'Event registration', 'Login verification']),
          FormTypes: ['Form'],
          SourceApp: 'Microsoft Forms',
          ObjectId: ctx.rng.hex(48),
        },
        'Succeeded',
      ),
  },
  { kind: 'defender.ti-mail', contentType: 'Audit.General', weight: 2, build: threatMail },
  { kind: 'defender.url-click', contentType: 'Audit.General', weight: 1, build: urlClick },
  { kind: 'defender.atp-detection', contentType: 'Audit.General', weight: 1, build: atpDetection },
  { kind: 'scc.alert', contentType: 'Audit.General', weight: 0.2, build: sccAlert },
  { kind: 'air.investigation', contentType: 'Audit.General', weight: 1, build: airInvestigation },
  { kind: 'mcas.alert', contentType: 'Audit.General', weight: 0.2, build: mcasAlert },
  {
    kind: 'teams.guest-added',
    contentType: 'Audit.General',
    weight: 1,
    build: (ctx) => {
      const actor = pickUser(ctx);
      const other = pickOtherUser(ctx, actor);
      return userRecord(ctx, 25, 'MemberAdded', 'MicrosoftTeams', {
        AADGroupId: ctx.rng.guid(),
        CommunicationType: 'Team',
        Members: [
          {
            DisplayName: `${other.displayName} (Guest)`,
            Role: 3,
            UPN: `${other.upn.split('@')[0]}_partner.example#EXT#@${ctx.tenant.domain}`,
          },
        ],
        TeamGuid: `19:${ctx.rng.hex(32)}@thread.tacv2`,
        ItemName: 'Project Apollo',
        TeamName: 'Project Apollo',
      });
    },
  },
];
