import type { RecordMapper } from '../record-mapper.ts';
import { mapAirInvestigation } from './air-investigation.ts';
import { mapAzureActiveDirectory, mapStsLogon } from './azure-ad.ts';
import {
  DYNAMICS,
  GRAPH_DATA_CONNECT_CONSENTS,
  GRAPH_DATA_CONNECT_EXTRACTIONS,
  POWER_BI_AND_FABRIC,
  POWER_PLATFORM,
} from './business-apps.ts';
import {
  COMMUNICATION_COMPLIANCE,
  ENCRYPTED_MESSAGE_PORTAL,
  EXCHANGE_MAILBOX_ACTIVITY,
  mapSharePointSite,
  OWA_AUTH,
  SHAREPOINT_LISTS_AND_SITES,
  TEAMS_ADMINISTRATION,
  TEAMS_ANALYTICS,
  TEAMS_DEVICES,
  TEAMS_USER_CONCERNS,
} from './collaboration.ts';
import { AI_ADMINISTRATION, AI_INTERACTIONS } from './copilot.ts';
import { mapThreatIntelligenceFile, mapThreatIntelligenceMail, mapThreatIntelligenceUrl } from './defender.ts';
import { mapDlp } from './dlp.ts';
import { mapExchangeAdmin } from './exchange-admin.ts';
import { mapExchangeItem, mapExchangeItemAggregated, mapExchangeItemGroup } from './exchange-mailbox.ts';
import type { RecordTypeFamily } from './family.ts';
import { mapMcasAlert } from './mcas-alert.ts';
import { BACKUP, SENTINEL_DATA_LAKE, TENANT_ADMINISTRATION, WEB_CONTENT_FILTERING } from './platform.ts';
import { CONTENT_APPS, PLANNER, PROJECT, VIVA, VIVA_ENGAGE } from './productivity.ts';
import { CLASSIFIER_ADMINISTRATION, DLP_VARIANTS, RETENTION, SENSITIVITY_LABELS } from './purview.ts';
import { mapSecurityComplianceAlert } from './security-compliance-alert.ts';
import {
  ATTACK_SIMULATION,
  ATTACK_SIMULATION_ADMIN,
  COMPLIANCE_CMDLETS,
  DEFENDER_ALERTS,
  DEFENDER_CAMPAIGNS,
  EDISCOVERY,
  INSIDER_RISK_MANAGEMENT,
  INSIDER_RISK_SIGNALS,
  MAIL_SUBMISSIONS,
  QUARANTINE,
  RISK_DETECTIONS,
  SECURITY_ADMINISTRATION,
} from './security-operations.ts';
import { mapSharePointFile, mapSharePointList } from './sharepoint.ts';
import { mapTeams } from './teams.ts';
import { mapForms, mapMipLabel } from './workloads.ts';

/** One RecordType with a dedicated mapping: its enum member name, the family it belongs to, its mapper. */
export interface RecordTypeMapping {
  recordType: number;
  name: string;
  family: string;
  map: RecordMapper;
}

function single(title: string, recordTypes: Readonly<Record<number, string>>, map: RecordMapper): RecordTypeFamily {
  return { title, recordTypes, map };
}

/** Every family, in the order the README lists them. */
export const RECORD_TYPE_FAMILIES: readonly RecordTypeFamily[] = [
  single('Exchange admin cmdlets', { 1: 'ExchangeAdmin' }, mapExchangeAdmin),
  single('Exchange mailbox item', { 2: 'ExchangeItem' }, mapExchangeItem),
  single('Exchange mailbox item group', { 3: 'ExchangeItemGroup' }, mapExchangeItemGroup),
  single('Exchange MailItemsAccessed', { 50: 'ExchangeItemAggregated' }, mapExchangeItemAggregated),
  EXCHANGE_MAILBOX_ACTIVITY,
  OWA_AUTH,
  ENCRYPTED_MESSAGE_PORTAL,
  COMMUNICATION_COMPLIANCE,
  single('SharePoint site operations and site / sharing-policy administration', { 4: 'SharePoint' }, mapSharePointSite),
  single(
    'SharePoint and OneDrive files and sharing',
    { 6: 'SharePointFileOperation', 7: 'OneDrive', 14: 'SharePointSharingOperation' },
    mapSharePointFile,
  ),
  single('SharePoint lists', { 36: 'SharePointListOperation' }, mapSharePointList),
  SHAREPOINT_LISTS_AND_SITES,
  single('Microsoft Entra ID directory changes', { 8: 'AzureActiveDirectory' }, mapAzureActiveDirectory),
  single('Microsoft Entra ID sign-ins', { 15: 'AzureActiveDirectoryStsLogon' }, mapStsLogon),
  single('Microsoft Teams', { 25: 'MicrosoftTeams' }, mapTeams),
  TEAMS_ADMINISTRATION,
  TEAMS_DEVICES,
  TEAMS_ANALYTICS,
  TEAMS_USER_CONCERNS,
  AI_INTERACTIONS,
  AI_ADMINISTRATION,
  single('Defender for Office 365 mail', { 28: 'ThreatIntelligence' }, mapThreatIntelligenceMail),
  single('Defender for Office 365 Safe Links clicks', { 41: 'ThreatIntelligenceUrl' }, mapThreatIntelligenceUrl),
  single('Defender for Office 365 files', { 47: 'ThreatIntelligenceAtpContent' }, mapThreatIntelligenceFile),
  single(
    'Automated investigation and response (automatic, manual and admin-action investigations)',
    { 64: 'AirInvestigation', 86: 'AirManualInvestigation', 89: 'AirAdminActionInvestigation' },
    mapAirInvestigation,
  ),
  single('Security & Compliance alerts', { 40: 'SecurityComplianceAlerts' }, mapSecurityComplianceAlert),
  single('Defender for Cloud Apps alerts', { 98: 'MCASAlerts' }, mapMcasAlert),
  DEFENDER_ALERTS,
  RISK_DETECTIONS,
  MAIL_SUBMISSIONS,
  QUARANTINE,
  DEFENDER_CAMPAIGNS,
  ATTACK_SIMULATION,
  ATTACK_SIMULATION_ADMIN,
  COMPLIANCE_CMDLETS,
  EDISCOVERY,
  SECURITY_ADMINISTRATION,
  INSIDER_RISK_SIGNALS,
  INSIDER_RISK_MANAGEMENT,
  single(
    'Data loss prevention (SharePoint/OneDrive, Exchange and Teams, endpoints)',
    { 11: 'ComplianceDLPSharePoint', 13: 'ComplianceDLPExchange', 63: 'DLPEndpoint' },
    mapDlp,
  ),
  DLP_VARIANTS,
  single('Sensitivity labels on mail in transport', { 43: 'MIPLabel' }, mapMipLabel),
  SENSITIVITY_LABELS,
  RETENTION,
  CLASSIFIER_ADMINISTRATION,
  DYNAMICS,
  POWER_PLATFORM,
  POWER_BI_AND_FABRIC,
  GRAPH_DATA_CONNECT_EXTRACTIONS,
  GRAPH_DATA_CONNECT_CONSENTS,
  single('Microsoft Forms', { 66: 'MicrosoftForms' }, mapForms),
  PLANNER,
  PROJECT,
  CONTENT_APPS,
  VIVA_ENGAGE,
  VIVA,
  BACKUP,
  SENTINEL_DATA_LAKE,
  WEB_CONTENT_FILTERING,
  TENANT_ADMINISTRATION,
];

function buildMappings(families: readonly RecordTypeFamily[]): RecordTypeMapping[] {
  const out: RecordTypeMapping[] = [];
  const seen = new Map<number, string>();
  for (const f of families) {
    for (const key of Object.keys(f.recordTypes)) {
      const recordType = Number(key);
      const previous = seen.get(recordType);
      if (previous !== undefined) throw new Error(`RecordType ${recordType} is mapped by both "${previous}" and "${f.title}"`);
      seen.set(recordType, f.title);
      out.push({ recordType, name: f.recordTypes[recordType] as string, family: f.title, map: f.map });
    }
  }
  return out.sort((a, b) => a.recordType - b.recordType);
}

/** Every RecordType with a dedicated mapping, by RecordType. */
export const RECORD_TYPE_MAPPINGS: readonly RecordTypeMapping[] = buildMappings(RECORD_TYPE_FAMILIES);

/** RecordType → the mapper of its specific fields. Types not listed get the common fields only. */
export const RECORD_MAPPERS: ReadonlyMap<number, RecordMapper> = new Map(RECORD_TYPE_MAPPINGS.map((m) => [m.recordType, m.map]));
