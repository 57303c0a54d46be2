import type { AuditRecord } from '../../core/audit-record.ts';
import { ipFromCountry, UNUSUAL_COUNTRIES } from './network.ts';
import { baseRecord, pickUser, type RecordContext, type RecordTemplate } from './template.ts';

const LABELS = ['f41ab342-8706-4188-bd11-ebb85995028c', '27451a5b-5823-4853-bcd4-2204d03ab477'];

/** Copilot (261) and third-party AI app (284) interactions: prompts, the files Copilot read, rare jailbreak/XPIA flags. */
function aiInteraction(ctx: RecordContext, recordType: 261 | 284): AuditRecord {
  const user = pickUser(ctx);
  const record = baseRecord(ctx, {
    RecordType: recordType,
    Operation: recordType === 261 ? 'CopilotInteraction' : 'AIAppInteraction',
    Workload: 'Copilot',
    UserKey: user.objectId,
    UserId: user.upn,
    ClientIP: ipFromCountry(ctx.rng, user.country),
  });
  const appHost = recordType === 261 ? ctx.rng.pick(['Word', 'Teams', 'Outlook', 'Bing', 'Excel']) : 'ChatGPT';
  const site = `https://${ctx.tenant.shortName}.sharepoint.com/sites/${ctx.rng.pick(['Finance', 'HR', 'Legal'])}`;
  const file = ctx.rng.pick(['Budget 2026.xlsx', 'Salaries.xlsx', 'Board deck.pptx', 'Contract.docx']);
  const prompt = Date.parse(String(record.CreationTime)) + ctx.rng.int(0, 999);
  return Object.assign(record, {
    ClientRegion: user.country,
    ...(recordType === 284 ? { AppIdentity: 'ChatGPT Enterprise' } : {}),
    CopilotEventData: {
      AppHost: appHost,
      Contexts: appHost === 'Teams' ? [{ Id: `19:meeting_${ctx.rng.hex(12)}@thread.v2`, Type: 'TeamsMeeting' }] : [],
      ThreadId: `19:${ctx.rng.hex(24)}@thread.v2`,
      MessageIds: [],
      Messages: [
        { Id: String(prompt), isPrompt: true, JailbreakDetected: ctx.rng.chance(0.02) },
        { Id: String(prompt + 700), isPrompt: false },
      ],
      AccessedResources: [
        {
          Action: 'Read',
          Id: ctx.rng.hex(32),
          Name: file,
          SensitivityLabelId: ctx.rng.pick(LABELS),
          SiteUrl: `${site}/Shared%20Documents/${encodeURIComponent(file)}`,
          Type: file.slice(file.lastIndexOf('.') + 1),
          XPIADetected: ctx.rng.chance(0.02),
        },
      ],
      ModelTransparencyDetails: [{ ModelName: recordType === 261 ? 'GPT-4o' : 'gpt-4.1' }],
      AISystemPlugin: [],
    },
  });
}

/** Defender for Endpoint alert (78) on one of the tenant's devices. */
function endpointAlert(ctx: RecordContext): AuditRecord {
  const user = pickUser(ctx);
  const alert = ctx.rng.pick([
    {
      Title: 'Suspicious PowerShell command line',
      Category: 'Execution',
      MitreTechniques: ['T1059.001'],
      FileName: 'powershell.exe',
    },
    {
      Title: 'Credential dumping activity',
      Category: 'CredentialAccess',
      MitreTechniques: ['T1003.001'],
      FileName: 'rundll32.exe',
    },
  ]);
  const id = `da${ctx.rng.int(100000000, 999999999)}_${ctx.rng.int(1000000, 9999999)}`;
  const record = baseRecord(ctx, {
    RecordType: 78,
    Operation: 'AlertTriggered',
    Workload: 'WindowsDefenderATP',
    UserKey: 'WindowsDefenderATP',
    UserType: 4,
    UserId: 'WindowsDefenderATP',
    ObjectId: id,
  });
  return Object.assign(record, {
    AlertId: id,
    ...alert,
    Severity: ctx.rng.pick(['Medium', 'High']),
    Status: 'New',
    DeviceName: `wks-${ctx.rng.int(100, 999)}.${ctx.tenant.shortName}.com`,
    DeviceId: ctx.rng.hex(40),
    Sha256: ctx.rng.hex(64),
    AlertLink: `https://security.microsoft.com/alerts/${id}`,
    AccountName: user.upn,
  });
}

/** Entra ID Protection risk detection (294): a sign-in from an unusual country. */
function riskDetection(ctx: RecordContext): AuditRecord {
  const user = pickUser(ctx);
  const country = ctx.rng.pick(UNUSUAL_COUNTRIES);
  const record = baseRecord(ctx, {
    RecordType: 294,
    Operation: 'UserRiskDetected',
    Workload: 'AzureActiveDirectory',
    UserKey: user.objectId,
    UserId: user.upn,
  });
  return Object.assign(record, {
    Activity: 'signin',
    ActivityDateTime: record.CreationTime,
    DetectedDateTime: record.CreationTime,
    IpAddress: ipFromCountry(ctx.rng, country),
    RiskEventType: ctx.rng.pick(['unfamiliarFeatures', 'anonymizedIPAddress', 'impossibleTravel']),
    RiskLevel: ctx.rng.pick(['low', 'medium', 'high']),
    RiskState: 'atRisk',
    RiskDetail: 'none',
    RiskId: ctx.rng.hex(32),
    Source: 'IdentityProtection',
    DetectionTimingType: 'realtime',
    TokenIssuerType: 'AzureAD',
    UserDisplayName: user.displayName,
    Location: { CountryOrRegion: country },
  });
}

export const AI_SECURITY_TEMPLATES: RecordTemplate[] = [
  { kind: 'copilot.interaction', contentType: 'Audit.General', weight: 3, build: (ctx) => aiInteraction(ctx, 261) },
  { kind: 'ai-app.interaction', contentType: 'Audit.General', weight: 0.5, build: (ctx) => aiInteraction(ctx, 284) },
  { kind: 'defender.endpoint-alert', contentType: 'Audit.General', weight: 0.2, build: endpointAlert },
  { kind: 'entra.risk-detection', contentType: 'Audit.General', weight: 0.2, build: riskDetection },
];
