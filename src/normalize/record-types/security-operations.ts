import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { get, put } from '../document.ts';
import { asArray, asNumber, asObject, asString, ownValue, tryParseJson } from '../values.ts';
import { addRelated, family, type RecordTypeFamily, textList } from './family.ts';

/** Fields of admin records that carry what changed (shared by every configuration-like family). */
export const CHANGE_FIELDS = {
  ModifiedProperties: 'office365.modified_properties:changes',
  ExtendedProperties: 'office365.extended_properties:pairs',
} as const;

/** Cmdlet `Parameters`: a "-Name value" string (Security & Compliance) or a [{Name, Value}] list (Exchange style). */
function mapCmdletParameters(record: AuditRecord, doc: EcsDocument): void {
  if (typeof record.Parameters === 'string') {
    put(doc, 'office365.cmdlet.parameters', record.Parameters);
    return;
  }
  const parameters: string[] = [];
  for (const item of asArray(record.Parameters)) {
    const p = asObject(item);
    const name = asString(p?.Name);
    if (name !== undefined) parameters.push(`${name}:${asString(p?.Value) ?? ''}`);
  }
  put(doc, 'office365.cmdlet.parameters', parameters.length > 0 ? parameters.join(' ') : undefined);
}

export const COMPLIANCE_CMDLETS: RecordTypeFamily = family(
  'Security & Compliance, EOP, datacenter and Skype for Business cmdlets',
  {
    10: 'DataCenterSecurityCmdlet',
    18: 'SecurityComplianceCenterEOPCmdlet',
    23: 'SkypeForBusinessCmdlets',
    106: 'SecurityComplianceUserChange',
  },
  {
    category: ['configuration'],
    fields: {
      StartTime: 'event.start:date',
      ClientApplication: 'office365.cmdlet.client_application:text',
      ClientRequestId: 'office365.cmdlet.client_request_id:text',
      CmdletVersion: 'office365.cmdlet.version:text',
      EffectiveOrganization: 'office365.cmdlet.effective_organization:text',
      UserServicePlan: 'office365.cmdlet.user_service_plan:text',
      NonPiiParameters: 'office365.cmdlet.non_pii_parameters:text',
      ElevationApprover: 'office365.cmdlet.elevation.approver:text',
      ElevationApprovedTime: 'office365.cmdlet.elevation.approved_time:date',
      ElevationRequestId: 'office365.cmdlet.elevation.request_id:text',
      ElevationRole: 'office365.cmdlet.elevation.role:text',
      ElevationDuration: 'office365.cmdlet.elevation.duration:number',
      ElevationTime: 'office365.cmdlet.elevation.time:date',
      GenericInfo: 'office365.cmdlet.generic_info:text',
      ...CHANGE_FIELDS,
    },
    extra: mapCmdletParameters,
  },
);

export const EDISCOVERY: RecordTypeFamily = family(
  'eDiscovery (cases, searches, holds, review sets, exports)',
  { 24: 'Discovery', 31: 'AeD', 333: 'DataSecurityInvestigation' },
  {
    category: ['configuration'],
    fields: {
      CaseId: 'office365.ediscovery.case.id:text',
      CaseName: 'office365.ediscovery.case.name:text',
      Case: '?office365.ediscovery.case.name:text',
      Object1Id: 'office365.ediscovery.object.id:text',
      Object1Name: 'office365.ediscovery.object.name:text',
      Object1Type: 'office365.ediscovery.object.type:text',
      ObjectType: '?office365.ediscovery.object.type:text',
      Object2Id: 'office365.ediscovery.related_object.id:text',
      Object2Name: 'office365.ediscovery.related_object.name:text',
      Object2Type: 'office365.ediscovery.related_object.type:text',
      QueryId: 'office365.ediscovery.query.id:text',
      QueryText: 'office365.ediscovery.query.text:text',
      Query: '?office365.ediscovery.query.text:text',
      QueryFiles: 'office365.ediscovery.query.files:texts',
      ExportName: 'office365.ediscovery.export_name:text',
      JobId: 'office365.ediscovery.job_id:text',
      ItemNames: 'office365.ediscovery.item_names:texts',
      DataSources: 'office365.ediscovery.data_sources:texts',
      UserCancelled: 'office365.ediscovery.user_cancelled:boolean',
      Settings: 'office365.ediscovery.settings:pairs',
      StartTime: 'event.start:date',
      EndTime: 'event.end:date',
      ...CHANGE_FIELDS,
    },
  },
);

/** The sending server of the reported message is an IP to pivot on, but not the source of the submission. */
function mapSubmissionSender(_record: AuditRecord, doc: EcsDocument): void {
  const senderIp = asString(get(doc, 'office365.submission.sender_ip'));
  if (senderIp !== undefined) addRelated(doc, 'ip', [senderIp]);
}

export const MAIL_SUBMISSIONS: RecordTypeFamily = family(
  'Defender for Office 365 submissions (user-reported and admin submissions)',
  { 29: 'MailSubmission' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      SubmissionId: 'office365.submission.id:text',
      SubmissionType: 'office365.submission.type:text',
      SubmissionState: 'office365.submission.state:text',
      SubmissionCategory: 'office365.submission.category:text',
      SubmissionContent: 'office365.submission.content:text',
      Reason: 'office365.submission.reason:text',
      SenderIP: 'office365.submission.sender_ip:ip',
      Subject: 'email.subject:text',
      P2Sender: 'email.from.address:texts',
      P1Sender: 'email.sender.address:text',
      Recipients: 'email.to.address:texts',
      NetworkMessageId: 'email.local_id:text',
      InternetMessageId: 'email.message_id:message_id',
    },
    extra: mapSubmissionSender,
  },
);

const QUARANTINE_REQUESTS = ['Preview', 'Delete', 'Release', 'Export', 'ViewHeader', 'ReleaseRequest'];
const QUARANTINE_SOURCES = ['SCC', 'Cmdlet', 'URLlink'];

function enumName(names: readonly string[], value: unknown): string | undefined {
  const n = asNumber(value);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? names[n] : asString(value);
}

export const QUARANTINE: RecordTypeFamily = family(
  'Quarantine (preview, release, delete, export of quarantined mail)',
  { 65: 'Quarantine' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      NetworkMessageId: 'email.local_id:text',
      ReleaseTo: 'email.to.address:texts',
    },
    extra: (record, doc) => {
      put(doc, 'office365.quarantine.request_type', enumName(QUARANTINE_REQUESTS, record.RequestType));
      put(doc, 'office365.quarantine.request_source', enumName(QUARANTINE_SOURCES, record.RequestSource));
    },
  },
);

const ATTACK_SIM_EVENTS: Readonly<Record<string, string>> = {
  '1': 'MessageDelivered',
  '2': 'MessageFailed',
  '6': 'CredentialEntered',
  '7': 'PermissionGranted',
  '8': 'LinkClicked',
  '10': 'AttachmentOpened',
  '12': 'MessageRead',
  '13': 'MessageReplied',
  '14': 'MessageForwarded',
  '15': 'MessageReported',
  '16': 'MessageDeleted',
  '17': 'OutOfOffice',
  '18': 'PositiveReinforcementMessageDelivered',
};
const ATTACK_SIM_ADMIN_EVENTS = [
  'CampaignLaunched',
  'CampaignCompleted',
  'CampaignReportDownloaded',
  'CampaignReportViewed',
  'CampaignCancelled',
  'CampaignScheduled',
  'CampaignDeleted',
  'SimulationExcluded',
  'AutomationSubmitted',
  'AutomationTurnOn',
  'AutomationTurnOff',
  'AutomationCompleted',
  'AutomationDeleted',
];
const USER_TRAINING_EVENTS = [
  undefined,
  'TrainingAssigned',
  'TrainingUpdated',
  'TrainingCompleted',
  'TrainingPreviouslyAssigned',
  'TrainingNotCompleted',
];

/** The campaign fields shared by the three Attack simulation & training record types ("Batch ID" or "BatchId"). */
const CAMPAIGN_FIELDS = {
  'Batch ID': 'office365.attack_simulation.batch_id:text',
  BatchId: '?office365.attack_simulation.batch_id:text',
  'Campaign ID': 'office365.attack_simulation.campaign.id:text',
  CampaignId: '?office365.attack_simulation.campaign.id:text',
  CampaignType: 'office365.attack_simulation.campaign.type:text',
  AttackTechnique: 'office365.attack_simulation.technique:text',
  'Course ID': 'office365.attack_simulation.course_id:text',
  CourseId: '?office365.attack_simulation.course_id:text',
  UserDisplayName: 'user.full_name:text',
  TimeData: 'event.start:date',
  EndTimeData: 'event.end:date',
  ExtendedProperties: 'office365.extended_properties:pairs',
} as const;

function mapAttackSimEvents(record: AuditRecord, doc: EcsDocument): void {
  const user = asString(record.AttackSimEvent);
  put(doc, 'office365.attack_simulation.event', user !== undefined ? (ownValue(ATTACK_SIM_EVENTS, user) ?? user) : undefined);
  put(doc, 'office365.attack_simulation.admin_event', enumName(ATTACK_SIM_ADMIN_EVENTS, record.AttackSimAdminEvent));
  const training = asNumber(record.UserTrainingEvent);
  put(doc, 'office365.attack_simulation.training_event', training !== undefined ? USER_TRAINING_EVENTS[training] : undefined);
}

export const ATTACK_SIMULATION: RecordTypeFamily = family(
  'Attack simulation & training: user activity in simulations',
  { 85: 'AttackSim' },
  { category: ['email'], type: ['info'], fields: CAMPAIGN_FIELDS, extra: mapAttackSimEvents },
);

export const ATTACK_SIMULATION_ADMIN: RecordTypeFamily = family(
  'Attack simulation & training: campaigns, automations and trainings',
  { 88: 'UserTraining', 218: 'AttackSimAdmin' },
  { category: ['configuration'], fields: CAMPAIGN_FIELDS, extra: mapAttackSimEvents },
);

/** Alert `Data` (JSON text) kept as an object; MITRE techniques → threat.*; the device and the user it is about → related.*. */
function mapAlertExtras(record: AuditRecord, doc: EcsDocument): void {
  const techniques = textList(record.MitreTechniques ?? record.Techniques);
  if (techniques.length > 0) {
    put(doc, 'threat.framework', 'MITRE ATT&CK');
    put(doc, 'threat.technique.id', techniques);
  }
  const data = asObject(record.Data) ?? asObject(tryParseJson(record.Data));
  put(doc, 'office365.alert.data', data);
  addRelated(doc, 'hosts', [get(doc, 'host.name')]);
  addRelated(doc, 'user', [get(doc, 'user.target.name')]);
}

export const DEFENDER_ALERTS: RecordTypeFamily = family(
  'Defender and Purview alerts (Defender for Endpoint, compromised users, threat intelligence, custom detections, insider risk)',
  {
    61: 'InformationWorkerProtection',
    78: 'WDATPAlerts',
    90: 'MSTIC',
    113: 'MS365DCustomDetection',
    307: 'PurviewInsiderRiskAlerts',
  },
  {
    kind: 'alert',
    category: ['intrusion_detection'],
    type: ['info'],
    fields: {
      AlertId: 'office365.alert.id:text',
      AlertType: 'office365.alert.type:text',
      Name: 'office365.alert.display_name:text',
      AlertDisplayName: '?office365.alert.display_name:text',
      Title: '?office365.alert.display_name:text',
      AlertTitle: '?office365.alert.display_name:text',
      Severity: 'office365.alert.severity:text',
      AlertSeverity: '?office365.alert.severity:text',
      Category: 'office365.alert.category:text',
      AlertCategory: '?office365.alert.category:text',
      Status: 'office365.alert.status:text',
      Description: 'office365.alert.description:text',
      AlertDescription: '?office365.alert.description:text',
      Source: 'office365.alert.source:text',
      PolicyId: 'rule.id:text',
      PolicyName: 'rule.name:text',
      AlertLink: 'event.url:text',
      AlertUri: '?event.url:text',
      DeepLinkUrl: '?event.url:text',
      DeviceName: 'host.name:text',
      MachineName: '?host.name:text',
      ComputerDnsName: '?host.name:text',
      DeviceId: 'host.id:text',
      MachineId: '?host.id:text',
      FileName: 'file.name:text',
      FilePath: 'file.path:text',
      Sha256: 'file.hash.sha256:text',
      SHA256: '?file.hash.sha256:text',
      Sha1: 'file.hash.sha1:text',
      SHA1: '?file.hash.sha1:text',
      MD5: 'file.hash.md5:text',
      StartTimeUtc: 'event.start:date',
      EndTimeUtc: 'event.end:date',
      AccountName: 'user.target.name:text',
      UserPrincipalName: '?user.target.name:text',
    },
    extra: (record, doc) => {
      put(doc, 'rule.name', get(doc, 'rule.name') ?? get(doc, 'office365.alert.display_name'));
      mapAlertExtras(record, doc);
    },
  },
);

export const DEFENDER_CAMPAIGNS: RecordTypeFamily = family(
  'Defender for Office 365 campaigns, Threat Explorer and outbound-spam (restricted senders)',
  { 34: 'ThreatFinder', 51: 'HygieneEvent', 62: 'Campaign' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      CampaignId: 'office365.campaign.id:text',
      CampaignName: 'office365.campaign.name:text',
      CampaignType: 'office365.campaign.type:text',
      Event: 'office365.hygiene.event:text',
      EventId: 'office365.hygiene.event_id:number',
      EventValue: 'user.target.name:text',
      Reason: 'event.reason:text',
      Audit: 'office365.hygiene.audit:text',
      ...CHANGE_FIELDS,
    },
    extra: (_record, doc) => addRelated(doc, 'user', [get(doc, 'user.target.name')]),
  },
);

/** Entra risk detection location → source.geo.*; AdditionalInfo JSON → office365.risk.additional_info. */
function mapRiskDetection(record: AuditRecord, doc: EcsDocument): void {
  const location = asObject(record.Location);
  if (location !== undefined) {
    put(doc, 'source.geo.city_name', asString(location.City));
    put(doc, 'source.geo.country_iso_code', asString(location.CountryOrRegion));
    put(doc, 'source.geo.region_name', asString(location.State));
    const geo = asObject(location.GeoCoordinates);
    const lat = asNumber(geo?.Latitude);
    const lon = asNumber(geo?.Longitude);
    if (lat !== undefined && lon !== undefined) put(doc, 'source.geo.location', { lat, lon });
  }
  const info = tryParseJson(record.AdditionalInfo);
  put(doc, 'office365.risk.additional_info', Array.isArray(info) || asObject(info) !== undefined ? info : undefined);
}

export const RISK_DETECTIONS: RecordTypeFamily = family(
  'Microsoft Entra ID Protection risk detections',
  { 294: 'AadRiskDetection' },
  {
    kind: 'alert',
    category: ['intrusion_detection'],
    type: ['info'],
    fields: {
      IpAddress: '?source.ip:ip',
      RiskEventType: 'rule.name:text',
      RiskId: 'office365.risk.id:text',
      RiskLevel: 'office365.risk.level:text',
      RiskState: 'office365.risk.state:text',
      RiskDetail: 'office365.risk.detail:text',
      Source: 'office365.risk.source:text',
      DetectionTimingType: 'office365.risk.detection_timing:text',
      TokenIssuerType: 'office365.risk.token_issuer_type:text',
      Activity: 'office365.risk.activity:text',
      RequestId: 'office365.risk.request_id:text',
      CorrelationId: 'office365.context.correlation.id:text',
      UserDisplayName: 'user.full_name:text',
      ActivityDateTime: 'event.start:date',
      DetectedDateTime: 'event.created:date',
      LastUpdatedDateTime: 'office365.risk.last_updated:date',
    },
    extra: mapRiskDetection,
  },
);

export const SECURITY_ADMINISTRATION: RecordTypeFamily = family(
  'Defender, Purview Audit and security-platform administration (settings, RBAC, policies, onboarding)',
  {
    42: 'SecurityComplianceInsights',
    87: 'SecurityComplianceRBAC',
    235: 'MicrosoftDefenderForIdentityAudit',
    237: 'DefenderExpertsforXDRAdmin',
    295: 'AuditSearch',
    296: 'AuditRetentionPolicy',
    297: 'AuditConfig',
    302: 'URBACAssignment',
    303: 'URBACRole',
    304: 'URBACEnableState',
    332: 'ComplianceSettingsChange',
    341: 'DeviceDiscoverySettingsExclusion',
    342: 'DeviceDiscoverySettingsAuthenticatedScans',
    344: 'DeviceDiscoverySettings',
    345: 'USXWorkspaceOnboarding',
    360: 'NoisyAlertPolicy',
    372: 'CrossTenantAccessPolicy',
  },
  {
    category: ['configuration'],
    fields: {
      PolicyId: 'office365.policy.id:text',
      PolicyID: '?office365.policy.id:text',
      PolicyName: 'office365.policy.name:text',
      RoleName: 'office365.role.name:text',
      RoleId: 'office365.role.id:text',
      SearchName: 'office365.audit_search.name:text',
      SearchQuery: 'office365.audit_search.query:text',
      Details: 'office365.settings_changes:raw',
      Parameters: 'office365.parameters:pairs',
      ...CHANGE_FIELDS,
    },
  },
);

export const INSIDER_RISK_SIGNALS: RecordTypeFamily = family(
  'Insider risk signals (HR and physical badging data)',
  { 58: 'HRSignal', 91: 'PhysicalBadgingSignal' },
  {
    category: ['iam'],
    type: ['user', 'info'],
    fields: {
      TargetUserId: 'user.target.name:text',
      UserPrincipalName: '?user.target.name:text',
      SignalType: 'office365.insider_risk.signal_type:text',
      ...CHANGE_FIELDS,
    },
    extra: (_record, doc) => addRelated(doc, 'user', [get(doc, 'user.target.name')]),
  },
);

export const INSIDER_RISK_MANAGEMENT: RecordTypeFamily = family(
  'Insider risk management (cases, scoped users, user insights, activity audit trail)',
  {
    292: 'InsiderRiskScopedUserInsights',
    306: 'PurviewInsiderRiskCases',
    308: 'InsiderRiskScopedUsers',
    335: 'IRMActivityAuditTrail',
  },
  {
    category: ['configuration'],
    fields: {
      CaseId: 'office365.insider_risk.case.id:text',
      CaseName: 'office365.insider_risk.case.name:text',
      AlertId: 'office365.insider_risk.alert_id:text',
      PolicyName: 'office365.insider_risk.policy_name:text',
      TargetUserId: 'user.target.name:text',
      ...CHANGE_FIELDS,
    },
    extra: (_record, doc) => addRelated(doc, 'user', [get(doc, 'user.target.name')]),
  },
);
