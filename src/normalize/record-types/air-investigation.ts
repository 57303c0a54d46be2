import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { compactObject, put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { asArray, asBoolean, asObject, asString, pushUnique, tryParseJson } from '../values.ts';
import { mapEndpointDlpData, parseAlertData } from './alert-data.ts';

/** What the entities of an investigation say about the emails involved. */
interface EmailFacts {
  emails: Record<string, unknown>[];
  emailKeys: Set<string>;
  urls: string[];
  senderIps: string[];
  senderDomains: string[];
  subjects: string[];
  threats: string[];
  deliveryActions: string[];
  from: string[];
  to: string[];
  attachments: Record<string, unknown>[];
  attachmentKeys: Set<string>;
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string' && v !== '');
}

function addEmail(facts: EmailFacts, email: Record<string, unknown> | undefined): void {
  if (email === undefined) return;
  const key = JSON.stringify(email);
  if (facts.emailKeys.has(key)) return;
  facts.emailKeys.add(key);
  facts.emails.push(email);
}

function addMailMessage(facts: EmailFacts, e: Record<string, unknown>): void {
  addEmail(
    facts,
    compactObject({
      delivery: compactObject({
        action: e.DeliveryAction,
        location: e.DeliveryLocation,
        original_location: e.OriginalDeliveryLocation,
      }),
      direction: e.AntispamDirection,
      language: e.Language,
      message_ids: strings([e.NetworkMessageId]),
    }),
  );
  for (const url of strings(e.Urls)) pushUnique(facts.urls, url);
  pushUnique(facts.senderIps, asString(e.SenderIP));
  pushUnique(facts.senderDomains, asString(e.P1SenderDomain));
  pushUnique(facts.senderDomains, asString(e.P2SenderDomain));
  pushUnique(facts.subjects, asString(e.Subject));
  for (const threat of strings(e.Threats)) pushUnique(facts.threats, threat);
  pushUnique(facts.deliveryActions, asString(e.DeliveryAction));
  pushUnique(facts.from, asString(e.Sender));
  pushUnique(facts.to, asString(e.Recipient));
  for (const item of asArray(e.Files)) {
    const f = asObject(item);
    if (f === undefined) continue;
    let sha256: string | undefined;
    for (const h of asArray(f.FileHashes)) {
      const hash = asObject(h);
      if (hash !== undefined && asString(hash.Algorithm)?.toUpperCase() === 'SHA256') sha256 = asString(hash.Value);
    }
    const file = compactObject({ name: f.Name, hash: compactObject({ sha256 }) });
    if (file === undefined) continue;
    const key = JSON.stringify(file);
    if (facts.attachmentKeys.has(key)) continue;
    facts.attachmentKeys.add(key);
    facts.attachments.push({ file });
  }
}

function addEntity(facts: EmailFacts, entity: unknown): void {
  const e = asObject(entity);
  if (e === undefined) return;
  switch (e.Type) {
    case 'mailMessage':
      addMailMessage(facts, e);
      break;
    case 'mailCluster':
      addEmail(facts, compactObject({ message_ids: strings(e.NetworkMessageIds) }));
      break;
    case 'mailbox':
      pushUnique(facts.to, asString(e.MailboxPrimaryAddress));
      break;
    default:
      break;
  }
}

/** AirInvestigation (64): Automated Investigation and Response — the investigation, its alert and the emails. */
export function mapAirInvestigation(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'office365.investigation.id', asString(record.InvestigationId));
  put(doc, 'office365.investigation.name', asString(record.InvestigationName));
  put(doc, 'office365.investigation.type', asString(record.InvestigationType));
  put(doc, 'office365.investigation.status', asString(record.Status));
  put(doc, 'event.start', normalizeTimestamp(record.StartTimeUtc));
  put(doc, 'event.end', normalizeTimestamp(record.EndTimeUtc));

  const facts: EmailFacts = {
    emails: [],
    emailKeys: new Set(),
    urls: [],
    senderIps: [],
    senderDomains: [],
    subjects: [],
    threats: [],
    deliveryActions: [],
    from: [],
    to: [],
    attachments: [],
    attachmentKeys: new Set(),
  };
  for (const action of asArray(record.Actions)) {
    const a = asObject(action) ?? asObject(tryParseJson(action));
    for (const entity of asArray(a?.Entities)) addEntity(facts, entity);
  }
  const data = parseAlertData(record.Data);
  if (data !== undefined) {
    mapEndpointDlpData(data, doc);
    const isIncident = asBoolean(data.IsIncident);
    put(doc, 'event.kind', isIncident ? 'alert' : 'event');
    put(doc, 'office365.investigation.alert.is_incident', isIncident);
    put(doc, 'office365.investigation.alert.category', asString(data.Category));
    put(doc, 'office365.investigation.alert.correlation_key', asString(data.CorrelationKey));
    put(doc, 'office365.investigation.alert.provider.name', asString(data.ProviderName));
    put(doc, 'office365.investigation.alert.provider.status', asString(data.Status));
    put(doc, 'office365.investigation.alert.severity', asString(data.Severity));
    put(doc, 'office365.investigation.alert.source_type', asString(data.SourceAlertType));
    put(doc, 'office365.investigation.alert.type', asString(data.AlertType));
    const links: string[] = [];
    for (const link of asArray(data.ExtendedLinks)) {
      const l = asObject(link);
      if (l?.Type === 'webLink') pushUnique(links, asString(l.Href));
    }
    put(doc, 'office365.investigation.alert.urls', links);
    put(doc, 'office365.machine_name', asString(data.MachineName));
    put(doc, 'log.level', asString(data.Severity));
    put(doc, 'rule.name', asString(data.AlertDisplayName));
    for (const entity of asArray(data.Entities)) addEntity(facts, entity);
  }
  put(doc, 'office365.investigation.emails', facts.emails);
  put(doc, 'office365.investigation.email.urls', facts.urls);
  put(doc, 'office365.investigation.email.sender.ip', facts.senderIps);
  put(doc, 'office365.investigation.email.sender.domains', facts.senderDomains);
  put(doc, 'office365.investigation.email.subjects', facts.subjects);
  put(doc, 'office365.investigation.threats', facts.threats);
  put(doc, 'office365.investigation.delivery.action', facts.deliveryActions);
  put(doc, 'email.from.address', facts.from);
  put(doc, 'email.to.address', facts.to);
  put(doc, 'email.attachments', facts.attachments);
  put(doc, 'url.original', facts.urls[0]);
}
