import type { RecordMapper } from '../record-mapper.ts';
import { mapAirInvestigation } from './air-investigation.ts';
import { mapAzureActiveDirectory, mapStsLogon } from './azure-ad.ts';
import { mapThreatIntelligenceFile, mapThreatIntelligenceMail, mapThreatIntelligenceUrl } from './defender.ts';
import { mapDlp } from './dlp.ts';
import { mapExchangeAdmin } from './exchange-admin.ts';
import { mapExchangeItem, mapExchangeItemAggregated, mapExchangeItemGroup } from './exchange-mailbox.ts';
import { mapMcasAlert } from './mcas-alert.ts';
import { mapSecurityComplianceAlert } from './security-compliance-alert.ts';
import { mapSharePoint, mapSharePointFile, mapSharePointList } from './sharepoint.ts';
import { mapTeams } from './teams.ts';
import { mapForms, mapMipLabel, mapPowerBi, mapYammer } from './workloads.ts';

/** RecordType → the mapper of its specific fields. Types not listed get the common fields only. */
export const RECORD_MAPPERS: ReadonlyMap<number, RecordMapper> = new Map<number, RecordMapper>([
  [1, mapExchangeAdmin],
  [2, mapExchangeItem],
  [3, mapExchangeItemGroup],
  [4, mapSharePoint],
  [6, mapSharePointFile],
  [8, mapAzureActiveDirectory],
  [11, mapDlp],
  [13, mapDlp],
  [14, mapSharePointFile],
  [15, mapStsLogon],
  [20, mapPowerBi],
  [22, mapYammer],
  [25, mapTeams],
  [28, mapThreatIntelligenceMail],
  [36, mapSharePointList],
  [40, mapSecurityComplianceAlert],
  [41, mapThreatIntelligenceUrl],
  [43, mapMipLabel],
  [47, mapThreatIntelligenceFile],
  [50, mapExchangeItemAggregated],
  [63, mapDlp],
  [64, mapAirInvestigation],
  [66, mapForms],
  [98, mapMcasAlert],
]);
