import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { parseClientIp } from '../client-ip.ts';
import { compactObject, put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { actionName } from '../common.ts';
import { asArray, asObject, asString, ownValue, stripAngleBrackets } from '../values.ts';

const FILE_VERDICTS: Readonly<Record<string, string>> = {
  '0': 'good',
  '1': 'bad',
  '-1': 'error',
  '-2': 'timeout',
  '-3': 'pending',
};

function oneAddress(value: unknown): string[] | undefined {
  const s = asString(value);
  return s ? [s] : undefined;
}

/** Defender for Office 365 shared fields: ThreatIntelligence (28), URL clicks (41), files (47). */
function mapThreatIntelligence(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.url', asString(record.EventDeepLink));
  put(doc, 'office365.defender.detection.method', asString(record.DetectionMethod));
  put(doc, 'office365.defender.detection.type', asString(record.DetectionType));
  const name = actionName(asString(record.DeliveryAction) ?? asString(record.PolicyAction));
  if (name) {
    put(doc, 'event.action', name);
    put(doc, 'action.name', name);
  }
}

/** TIMailData (28): one email as Defender for Office 365 saw it (verdict, delivery, authentication). */
export function mapThreatIntelligenceMail(record: AuditRecord, doc: EcsDocument): void {
  mapThreatIntelligence(record, doc);
  const sender = parseClientIp(record.SenderIp);
  if (sender !== undefined) put(doc, 'source.ip', sender.ip);
  put(doc, 'email.local_id', asString(record.NetworkMessageId));
  put(doc, 'email.subject', asString(record.Subject));
  put(doc, 'email.delivery_timestamp', normalizeTimestamp(record.MessageTime));
  put(doc, 'email.message_id', stripAngleBrackets(record.InternetMessageId));
  put(doc, 'email.reply_to.address', oneAddress(record.P1Sender));
  put(doc, 'email.from.address', oneAddress(record.P2Sender));
  put(
    doc,
    'email.to.address',
    asArray(record.Recipients).filter((r) => typeof r === 'string'),
  );
  put(doc, 'office365.defender.detection.technology', record.ThreatsAndDetectionTech);
  put(doc, 'office365.defender.additional_actions', record.AdditionalActionsAndResults);
  put(doc, 'office365.defender.auth_details', record.AuthDetails);
  put(doc, 'office365.defender.system_overrides', record.SystemOverrides);
  put(doc, 'office365.defender.connectors', asString(record.Connectors ?? record.Connector));
  put(doc, 'office365.defender.email.delivery.action', asString(record.DeliveryAction));
  put(doc, 'office365.defender.email.delivery.latest_location', asString(record.LatestDeliveryLocation));
  put(doc, 'office365.defender.email.delivery.original_location', asString(record.OriginalDeliveryLocation));
  put(doc, 'office365.defender.email.verdict.reason', asString(record.Verdict));
  put(doc, 'office365.defender.email.verdict.confidence', asString(record.PhishConfidenceLevel));
  const attachments: Record<string, unknown>[] = [];
  const verdicts: Record<string, unknown>[] = [];
  for (const item of asArray(record.AttachmentData)) {
    const a = asObject(item);
    if (a === undefined) continue;
    const file = compactObject({
      name: a.FileName,
      mime_type: a.FileType,
      hash: compactObject({ sha256: a.SHA256 }),
    });
    if (file !== undefined) attachments.push({ file });
    const code = asString(a.FileVerdict);
    const verdict = compactObject({
      name: a.FileName,
      malware_family: a.MalwareFamily,
      verdict: code !== undefined ? compactObject({ code, name: ownValue(FILE_VERDICTS, code) }) : undefined,
    });
    if (verdict !== undefined) verdicts.push(verdict);
  }
  put(doc, 'email.attachments', attachments);
  put(doc, 'office365.defender.email.attachments', verdicts);
}

/** ThreatIntelligenceUrl (41): Safe Links URL clicks. */
export function mapThreatIntelligenceUrl(record: AuditRecord, doc: EcsDocument): void {
  mapThreatIntelligence(record, doc);
  put(doc, 'url.original', asString(record.Url ?? record.URL));
  const user = parseClientIp(record.UserIp);
  if (user !== undefined && doc.source === undefined) {
    put(doc, 'source.ip', user.ip);
    put(doc, 'source.port', user.port);
  }
  put(doc, 'office365.defender.url_click_action', asString(record.URLClickAction));
}

/** ThreatIntelligenceAtpContent (47): malicious files in SharePoint, OneDrive and Teams (AtpDetection). */
export function mapThreatIntelligenceFile(record: AuditRecord, doc: EcsDocument): void {
  mapThreatIntelligence(record, doc);
  const file = asObject(record.FileData);
  if (file === undefined) return;
  put(doc, 'file.name', asString(file.FileName));
  put(doc, 'file.hash.sha256', asString(file.SHA256));
  put(doc, 'url.original', asString(file.FilePath));
  put(doc, 'office365.defender.malware_family', asString(file.MalwareFamily));
}
