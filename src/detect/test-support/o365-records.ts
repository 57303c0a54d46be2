import type { AuditRecord } from '../../core/audit-record.ts';

/**
 * Builders of realistic Management Activity API records (shapes as the API returns them) for rule tests.
 * Every record gets a unique Id; `minute` sets CreationTime relative to a fixed start.
 */
const START = Date.UTC(2026, 10, 20, 8, 0, 0);
let seq = 0;

function common(
  recordType: number,
  workload: string,
  operation: string,
  minute: number,
  extra: Record<string, unknown>,
): AuditRecord {
  seq++;
  return {
    CreationTime: new Date(START + minute * 60_000).toISOString().slice(0, 19),
    Id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    Operation: operation,
    OrganizationId: '2f1d9c3e-8b4a-4d2e-9f1a-6c5b4a3d2e1f',
    RecordType: recordType,
    UserKey: '10032001A2B3C4D5',
    UserType: 0,
    Version: 1,
    Workload: workload,
    UserId: 'alice@contoso.com',
    ...extra,
  };
}

const nv = (params: Record<string, string>) => Object.entries(params).map(([Name, Value]) => ({ Name, Value }));

/** Exchange admin cmdlet (RecordType 1, ExchangeAdmin). */
export function exchangeCmdlet(
  operation: string,
  params: Record<string, string>,
  extra: Record<string, unknown> = {},
): AuditRecord {
  return common(1, 'Exchange', operation, 0, {
    ResultStatus: 'True',
    UserType: 2,
    ClientIP: '203.0.113.10:51544',
    ObjectId: 'EURPR07A010.PROD.OUTLOOK.COM/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/alice',
    AppId: '00000002-0000-0ff1-ce00-000000000000',
    ClientAppId: '',
    ExternalAccess: false,
    OrganizationName: 'contoso.onmicrosoft.com',
    OriginatingServer: 'AM0PR07MB5763 (15.20.6411.029)',
    Parameters: nv(params),
    SessionId: '984c0958-0631-4b90-b116-15094fc36847',
    ...extra,
  });
}

/** Security & Compliance cmdlet (RecordType 18), where Parameters is one command-line string. */
export function complianceCmdlet(operation: string, parameters: string): AuditRecord {
  return common(18, 'SecurityComplianceCenter', operation, 0, {
    ResultStatus: 'True',
    UserType: 2,
    ClientIP: '203.0.113.10',
    ObjectId: '',
    Parameters: parameters,
    StartTime: '2026-11-20T08:00:00',
    ClientApplication: 'EMC',
  });
}

/** Entra ID directory audit (RecordType 8). */
export function directoryAudit(
  operation: string,
  modified: { Name: string; NewValue: string; OldValue: string }[] = [],
  extra: Record<string, unknown> = {},
): AuditRecord {
  return common(8, 'AzureActiveDirectory', operation, 0, {
    ResultStatus: 'Success',
    ObjectId: 'bob@contoso.com',
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: [
      { Name: 'additionalDetails', Value: '{}' },
      { Name: 'extendedAuditEventCategory', Value: 'Role' },
    ],
    ModifiedProperties: modified,
    Actor: [
      { ID: 'alice@contoso.com', Type: 5 },
      { ID: '100320029D963D0D', Type: 3 },
    ],
    ActorContextId: '2f1d9c3e-8b4a-4d2e-9f1a-6c5b4a3d2e1f',
    InterSystemsId: '3da056e9-e6dc-4157-b991-8304c3b95eb7',
    IntraSystemId: 'e7bf6e46-a61f-417a-a11d-282756b8262f',
    SupportTicketId: '',
    Target: [{ ID: 'bob@contoso.com', Type: 5 }],
    TargetContextId: '2f1d9c3e-8b4a-4d2e-9f1a-6c5b4a3d2e1f',
    ...extra,
  });
}

export interface SignInOptions {
  user?: string;
  ip?: string;
  minute?: number;
  /** null: no UserAgent element at all. */
  userAgent?: string | null;
  requestType?: string;
  logonError?: string;
  applicationId?: string;
  objectId?: string;
  resultStatus?: string;
  /** Entra error code of a failed sign-in (ErrorNumber), 50126 by default. */
  errorNumber?: string;
  /** Entra session id (DeviceProperties SessionId). */
  sessionId?: string;
  /** Entra correlation id of the sign-in flow (InterSystemsId). */
  correlationId?: string;
}

/** Entra ID sign-in (RecordType 15): UserLoggedIn or UserLoginFailed. */
export function signIn(operation: 'UserLoggedIn' | 'UserLoginFailed', o: SignInOptions = {}): AuditRecord {
  const failed = operation === 'UserLoginFailed';
  const user = o.user ?? 'alice@contoso.com';
  return common(15, 'AzureActiveDirectory', operation, o.minute ?? 0, {
    ResultStatus: o.resultStatus ?? 'Success',
    UserId: user,
    UserKey: user,
    ClientIP: o.ip ?? '198.51.100.7',
    ObjectId: o.objectId ?? '00000003-0000-0ff1-ce00-000000000000',
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: [
      { Name: 'ResultStatusDetail', Value: failed ? 'Success' : 'Redirect' },
      ...(o.userAgent === null
        ? []
        : [
            {
              Name: 'UserAgent',
              Value:
                o.userAgent ??
                'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
            },
          ]),
      { Name: 'UserAuthenticationMethod', Value: '1' },
      { Name: 'RequestType', Value: o.requestType ?? 'OAuth2:Authorize' },
    ],
    ModifiedProperties: [],
    Actor: [
      { ID: '3d0e7ff9-261e-440f-a2f8-9e1ec4072f3e', Type: 0 },
      { ID: user, Type: 5 },
    ],
    ActorContextId: '2f1d9c3e-8b4a-4d2e-9f1a-6c5b4a3d2e1f',
    ActorIpAddress: o.ip ?? '198.51.100.7',
    InterSystemsId: o.correlationId ?? '794c9504-66fe-441c-831a-5fc2badfcdc8',
    IntraSystemId: '99f54f6a-ddfe-4916-b89b-edd9fcac4500',
    SupportTicketId: '',
    Target: [{ ID: o.objectId ?? '00000003-0000-0ff1-ce00-000000000000', Type: 0 }],
    TargetContextId: '2f1d9c3e-8b4a-4d2e-9f1a-6c5b4a3d2e1f',
    ApplicationId: o.applicationId ?? '89bee1f7-5e6e-4d8a-9f3d-ecd601259da7',
    DeviceProperties: [
      { Name: 'OS', Value: 'Windows 10' },
      { Name: 'BrowserType', Value: 'Chrome' },
      ...(o.sessionId ? [{ Name: 'SessionId', Value: o.sessionId }] : []),
    ],
    ...(failed ? { ErrorNumber: o.errorNumber ?? '50126', LogonError: o.logonError ?? 'InvalidUserNameOrPassword' } : {}),
  });
}

export interface FileOptions {
  user?: string;
  file?: string;
  minute?: number;
  userAgent?: string;
  workload?: 'SharePoint' | 'OneDrive';
}

/** SharePoint / OneDrive file operation (RecordType 6). */
export function fileOperation(operation: string, o: FileOptions = {}): AuditRecord {
  const file = o.file ?? 'Q3-forecast.xlsx';
  const site =
    o.workload === 'OneDrive'
      ? 'https://contoso-my.sharepoint.com/personal/alice_contoso_com'
      : 'https://contoso.sharepoint.com/sites/finance';
  return common(6, o.workload ?? 'SharePoint', operation, o.minute ?? 0, {
    UserId: o.user ?? 'alice@contoso.com',
    ClientIP: '198.51.100.7',
    ObjectId: `${site}/Shared Documents/${file}`,
    CorrelationId: '4b25e3d9-1e4f-4c62-a544-da747449f144',
    EventSource: 'SharePoint',
    ItemType: 'File',
    ListId: 'ca07dda5-0cdc-4399-94a6-303a7aa8ac00',
    ListItemUniqueId: 'ab5a159c-c8fd-409c-a48f-524c29df0341',
    Site: '1a53ae0f-8405-42ec-8c43-724101fd34a2',
    UserAgent:
      o.userAgent ??
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
    WebId: 'ba71b4fe-22e8-41cf-9eaf-48b1787bad16',
    SourceFileExtension: file.split('.').pop(),
    SiteUrl: `${site}/`,
    SourceFileName: file,
    SourceRelativeUrl: 'Shared Documents',
  });
}

/** SharePoint sharing / site administration record (RecordType 14 or 4). */
export function sharePointEvent(operation: string, recordType: number, extra: Record<string, unknown> = {}): AuditRecord {
  return common(recordType, 'SharePoint', operation, 0, {
    ClientIP: '198.51.100.7',
    ObjectId: 'https://contoso.sharepoint.com/sites/finance/Shared Documents/Q3-forecast.xlsx',
    SiteUrl: 'https://contoso.sharepoint.com/sites/finance/',
    ItemType: 'File',
    EventSource: 'SharePoint',
    UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
    ...extra,
  });
}

/** Security & Compliance Center alert (RecordType 40, AlertTriggered). */
export function complianceAlert(name: string, severity = 'Medium'): AuditRecord {
  return common(40, 'SecurityComplianceCenter', 'AlertTriggered', 0, {
    ResultStatus: 'Succeeded',
    UserKey: 'SecurityComplianceAlerts',
    UserType: 4,
    UserId: 'SecurityComplianceAlerts',
    ObjectId: '6a5e7f1c-1b2d-4c3e-8f9a-0b1c2d3e4f5a',
    AlertId: '6a5e7f1c-1b2d-4c3e-8f9a-0b1c2d3e4f5a',
    AlertLinks: [{ AlertLinkHref: '' }],
    AlertType: 'System',
    Category: 'ThreatManagement',
    Comments: 'New alert',
    Data: JSON.stringify({ an: name, sev: severity }),
    Name: name,
    PolicyId: '0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e',
    Severity: severity,
    Source: 'Office 365 Security & Compliance',
    Status: 'Active',
  });
}

/** Defender for Cloud Apps alert (RecordType 98). */
export function cloudAppsAlert(displayName: string): AuditRecord {
  return common(98, 'MCAS', 'MCAS_ALERT_ANUBIS_DETECTION_VELOCITY', 0, {
    Applications: [{ Name: 'Microsoft SharePoint Online' }],
    AlertCategory: 'ANOMALY_DETECTION',
    AlertDisplayName: displayName,
    AlertDescription: `${displayName} for alice@contoso.com`,
    AlertSeverity: 'Medium',
    AssignedTo: null,
    LastUpdatedTime: '2026-11-20T08:00:00',
    ActivityStartTime: '2026-11-20T07:50:00',
    ItemCount: 0,
    AlertUri: 'https://contoso.portal.cloudappsecurity.com/#/alerts/111111111111111111111111',
    ClientIPs: ['198.51.100.7'],
    ObjectId: '643fdd70e8ff3e15bba6dfd8',
    ResultStatus: 'New',
  });
}

/** Defender for Office 365 mail verdict (RecordType 28, TIMailData). */
export function threatMail(deliveryAction: string, attachments: string[] = ['invoice.html']): AuditRecord {
  return common(28, 'ThreatIntelligence', 'TIMailData', 0, {
    AttachmentData: attachments.map((FileName) => ({
      FileName,
      FileType: FileName.split('.').pop(),
      FileVerdict: 1,
      SHA256: 'f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f',
    })),
    DeliveryAction: deliveryAction,
    Directionality: 'Inbound',
    InternetMessageId: '<PH0PR12MB1234@evil.example>',
    MessageTime: '2026-11-20T08:00:00',
    NetworkMessageId: 'b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    P1Sender: 'billing@evil.example',
    P2Sender: 'billing@evil.example',
    Recipients: ['alice@contoso.com'],
    SenderIp: '192.0.2.55',
    Subject: 'Invoice overdue',
    Verdict: 'Phish',
    ObjectId: '',
  });
}

/** Outlook desktop inbox rule change (RecordType 2, UpdateInboxRules): the rule is in OperationProperties. */
export function outlookInboxRule(
  ruleActions: unknown[],
  ruleCondition = '{(Exists(ItemClass))}',
  extra: Record<string, unknown> = {},
): AuditRecord {
  return common(2, 'Exchange', 'UpdateInboxRules', 0, {
    ResultStatus: 'Succeeded',
    ClientIP: '203.0.113.10',
    ClientIPAddress: '203.0.113.10',
    ClientInfoString: 'Client=MSExchangeRPC',
    ClientProcessName: 'OUTLOOK.EXE',
    ClientVersion: '16.0.17328.20550',
    ExternalAccess: false,
    LogonType: 0,
    MailboxGuid: '5b1c4f7e-0d2a-4e8b-9c3f-1a2b3c4d5e6f',
    MailboxOwnerUPN: 'alice@contoso.com',
    OperationProperties: [
      { Name: 'RuleOperation', Value: 'AddMailboxRule' },
      { Name: 'RuleId', Value: '4561233110666051585' },
      { Name: 'RuleState', Value: 'Enabled' },
      { Name: 'RuleCondition', Value: ruleCondition },
      { Name: 'RuleName', Value: 'Rule 1' },
      { Name: 'RuleProvider', Value: 'RuleOrganizer' },
      { Name: 'RuleActions', Value: JSON.stringify(ruleActions) },
    ],
    OrganizationName: 'contoso.onmicrosoft.com',
    SessionId: '984c0958-0631-4b90-b116-15094fc36847',
    Item: { Id: 'RgAAAAD', ParentFolder: { Id: 'LgAAAAA', Name: 'Inbox', Path: '\\Inbox' } },
    ...extra,
  });
}

/** Defender for Office 365 automated investigation status change (RecordType 64, AirInvestigationData). */
export function airInvestigation(severity: string, status: string): AuditRecord {
  return common(64, 'AirInvestigation', 'AirInvestigationData', 0, {
    UserKey: 'AirInvestigation',
    UserType: 4,
    UserId: 'AirInvestigation',
    ObjectId: '60eaf0aa-edc3-4f8d-8275-bc82d9500e59',
    DeepLinkUrl: 'https://security.microsoft.com/mtp-investigation/urn:ZappedUrlInvestigation:a10a976d',
    InvestigationId: 'urn:ZappedUrlInvestigation:a10a976d-6e3e-4d10-be50-4907183b6f86',
    InvestigationName: 'Mail with malicious urls is zapped - urn:ZappedUrlInvestigation:a10a976d',
    InvestigationType: 'ZappedUrlInvestigation',
    StartTimeUtc: '2026-11-20T07:50:00',
    LastUpdateTimeUtc: '2026-11-20T08:00:00',
    Status: status,
    Data: JSON.stringify({
      Version: '3.0',
      VendorName: 'Microsoft',
      ProviderName: 'OATP',
      AlertType: '8e6bfd9d-1c1b-4b4d-9b1e-1c6b0f7a2c3d',
      Status: 'InProgress',
      Severity: severity,
      IsIncident: false,
      Category: 'ThreatManagement',
    }),
    Actions: [],
  });
}

/** Defender for Office 365 malicious file detection (RecordType 47, AtpDetection). */
export function atpDetection(operation = 'AtpDetection'): AuditRecord {
  return common(47, 'ThreatIntelligence', operation, 0, {
    UserKey: 'ThreatIntel',
    UserType: 4,
    UserId: 'ThreatIntel',
    DetectionDate: '2026-11-20T07:59:00',
    DetectionMethod: 'AntiMalware',
    EventDeepLink: 'https://security.microsoft.com/',
    FileData: {
      DocumentId: '03254108-f682-417d-f3e6-08da605bf091',
      FileName: 'invoice.docm',
      FilePath: 'https://contoso.sharepoint.com/sites/finance/Shared Documents/invoice.docm',
      FileSize: '48213',
      FileVerdict: 1,
      MalwareFamily: 'TrojanDownloader:O97M/Donoff',
      SHA256: '01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b',
    },
    LastModifiedBy: 'alice@contoso.com',
    SourceWorkload: 1,
  });
}

/** Entra ID consent to an application (RecordType 8, "Consent to application."), as the audit log shapes it. */
export function consentToApp(appName: string, scopes: string, extra: Record<string, unknown> = {}): AuditRecord {
  return directoryAudit(
    'Consent to application.',
    [
      { Name: 'ConsentContext.IsAdminConsent', NewValue: 'False', OldValue: '' },
      { Name: 'ConsentContext.OnBehalfOfAll', NewValue: 'False', OldValue: '' },
      {
        Name: 'ConsentAction.Permissions',
        NewValue: `[] => [[Id: Wm1aX2, ClientId: 0f5b8c2e-1d3a-4b6c-9e8f-7a6b5c4d3e2f, PrincipalId: 8a7b6c5d, ResourceId: 1c2d3e4f, ConsentType: Principal, Scope: ${scopes}, CreatedDateTime: , LastModifiedDateTime ]]; `,
        OldValue: '',
      },
    ],
    {
      ObjectId: '0f5b8c2e-1d3a-4b6c-9e8f-7a6b5c4d3e2f',
      Target: [
        { ID: 'ServicePrincipal_0f5b8c2e-1d3a-4b6c-9e8f-7a6b5c4d3e2f', Type: 2 },
        { ID: '0f5b8c2e-1d3a-4b6c-9e8f-7a6b5c4d3e2f', Type: 2 },
        { ID: 'ServicePrincipal', Type: 2 },
        { ID: appName, Type: 1 },
      ],
      ...extra,
    },
  );
}
