import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { asString, stripAngleBrackets } from '../values.ts';
import { mapEndpointDlpData, parseAlertData } from './alert-data.ts';

function list(value: string | undefined): string[] | undefined {
  return value ? [value] : undefined;
}

/** SecurityComplianceAlerts (40): Microsoft Purview / Defender alerts (AlertTriggered, AlertEntityGenerated…). */
export function mapSecurityComplianceAlert(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.kind', 'alert');
  put(doc, 'event.category', ['intrusion_detection']);
  put(doc, 'event.type', ['info']);
  put(doc, 'office365.alert.id', asString(record.AlertId));
  put(doc, 'office365.alert.category', asString(record.Category));
  put(doc, 'office365.alert.display_name', asString(record.Name));
  put(doc, 'office365.alert.severity', asString(record.Severity));
  put(doc, 'office365.alert.source', asString(record.Source));
  put(doc, 'office365.alert.status', asString(record.Status));
  put(doc, 'rule.id', asString(record.PolicyId));

  const data = parseAlertData(record.Data);
  if (data === undefined) return;
  mapEndpointDlpData(data, doc);
  if (record.Source === 'Cloud App Security') {
    put(doc, 'event.start', normalizeTimestamp(data.ts));
    put(doc, 'event.end', normalizeTimestamp(data.te));
    put(doc, 'event.reason', asString(data.ad));
    put(doc, 'event.url', asString(data.alk));
    put(doc, 'rule.reference', asString(data.plk));
    put(doc, 'rule.category', asString(data.mat));
    put(doc, 'office365.alert.display_name', asString(data.an));
  }
  if (record.Name === 'Mass download by a single user') put(doc, 'source.user.email', asString(data.f3u));
  // The user the alert is about: recipient, then submitter, then the first user seen (last wins).
  for (const key of ['trc', 'suid', 'f3u']) {
    const email = asString(data[key]);
    if (!email) continue;
    const at = email.indexOf('@');
    put(doc, 'user.email', email);
    put(doc, 'user.name', at >= 0 ? email.slice(0, at) : email);
    put(doc, 'user.domain', at >= 0 ? email.slice(at + 1) : undefined);
  }
  put(doc, 'office365.alert.entity_type', asString(data.etype));
  put(doc, 'email.message_id', stripAngleBrackets(data.imsgid));
  const cc = asString(data.cc);
  put(
    doc,
    'email.cc.address',
    cc
      ? cc
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== '')
      : undefined,
  );
  put(doc, 'email.subject', asString(data.von) || asString(data.ms));
  put(doc, 'email.from.address', list(asString(data.mfrm) || asString(data.tsd)));
  put(doc, 'email.to.address', list(asString(data.to) || asString(data.trc)));
  const pud = asString(data.pud);
  if (pud) put(doc, 'url.original', `//${pud}`);
  if (record.EntityType === 'MaliciousUrl') put(doc, 'url.original', asString(record.ObjectId));
}
