import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { compactObject, put } from '../document.ts';
import { normalizeTimestamp } from '../timestamp.ts';
import { asArray, asBoolean, asObject, asString, tryParseJson, UniqueList } from '../values.ts';
import { mapEndpointDlpData, parseAlertData } from './alert-data.ts';

/** What the entities of an investigation say about the emails involved (each list distinct, in first-seen order). */
class EmailFacts {
  readonly emails = new UniqueList<string>();
  readonly urls = new UniqueList<string>();
  readonly senderIps = new UniqueList<string>();
  readonly senderDomains = new UniqueList<string>();
  readonly subjects = new UniqueList<string>();
  readonly threats = new UniqueList<string>();
  readonly deliveryActions = new UniqueList<string>();
  readonly from = new UniqueList<string>();
  readonly to = new UniqueList<string>();
  /** Attachments and emails are kept as their JSON text (the dedup key) and parsed back once at the end. */
  readonly attachments = new UniqueList<string>();
}

/** Strings of a list (or a single value); numbers become strings (Threats are sometimes numeric codes). */
function strings(value: unknown): string[] {
  const out: string[] = [];
  for (const v of Array.isArray(value) ? value : [value]) {
    const s = asString(v);
    if (s !== undefined && s !== '') out.push(s);
  }
  return out;
}

function addJson(list: UniqueList<string>, value: Record<string, unknown> | undefined): void {
  if (value !== undefined) list.add(JSON.stringify(value));
}

function addMailMessage(facts: EmailFacts, e: Record<string, unknown>): void {
  addJson(
    facts.emails,
    compactObject({
      delivery: compactObject({
        action: e.DeliveryAction,
        location: e.DeliveryLocation,
        original_location: e.OriginalDeliveryLocation,
      }),
      direction: e.AntispamDirection,
      language: e.Language,
      message_ids: strings(e.NetworkMessageId),
    }),
  );
  for (const url of strings(e.Urls)) facts.urls.add(url);
  facts.senderIps.add(asString(e.SenderIP));
  facts.senderDomains.add(asString(e.P1SenderDomain));
  facts.senderDomains.add(asString(e.P2SenderDomain));
  facts.subjects.add(asString(e.Subject));
  for (const threat of strings(e.Threats)) facts.threats.add(threat);
  facts.deliveryActions.add(asString(e.DeliveryAction));
  facts.from.add(asString(e.Sender));
  facts.to.add(asString(e.Recipient));
  for (const item of asArray(e.Files)) {
    const f = asObject(item);
    if (f === undefined) continue;
    let sha256: string | undefined;
    for (const h of asArray(f.FileHashes)) {
      const hash = asObject(h);
      if (hash !== undefined && asString(hash.Algorithm)?.toUpperCase() === 'SHA256') sha256 = asString(hash.Value);
    }
    const file = compactObject({ name: f.Name, hash: compactObject({ sha256 }) });
    if (file !== undefined) addJson(facts.attachments, { file });
  }
}

/** Fields only a mail message entity carries: an entity without `Type` that has one of them is read as a message. */
const MAIL_MESSAGE_FIELDS = [
  'NetworkMessageId',
  'Urls',
  'SenderIP',
  'P1SenderDomain',
  'P2SenderDomain',
  'Subject',
  'Threats',
  'Sender',
  'Recipient',
  'Files',
  'DeliveryAction',
] as const;

function addEntity(facts: EmailFacts, entity: unknown): void {
  const e = asObject(entity);
  if (e === undefined) return;
  const type = asString(e.Type);
  if (type !== undefined) {
    if (type === 'mailMessage') addMailMessage(facts, e);
    else if (type === 'mailCluster') addJson(facts.emails, compactObject({ message_ids: strings(e.NetworkMessageIds) }));
    else if (type === 'mailbox') facts.to.add(asString(e.MailboxPrimaryAddress));
    return;
  }
  // No Type (seen in Actions[].Entities): read what the entity carries.
  if (MAIL_MESSAGE_FIELDS.some((field) => e[field] !== undefined)) addMailMessage(facts, e);
  if (e.NetworkMessageIds !== undefined) addJson(facts.emails, compactObject({ message_ids: strings(e.NetworkMessageIds) }));
  facts.to.add(asString(e.MailboxPrimaryAddress));
}

const parsed = (texts: UniqueList<string>): unknown[] => texts.items.map((text) => JSON.parse(text));

/** AirInvestigation (64): Automated Investigation and Response — the investigation, its alert and the emails. */
export function mapAirInvestigation(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'office365.investigation.id', asString(record.InvestigationId));
  put(doc, 'office365.investigation.name', asString(record.InvestigationName));
  put(doc, 'office365.investigation.type', asString(record.InvestigationType));
  put(doc, 'office365.investigation.status', asString(record.Status));
  put(doc, 'event.start', normalizeTimestamp(record.StartTimeUtc));
  put(doc, 'event.end', normalizeTimestamp(record.EndTimeUtc));

  const facts = new EmailFacts();
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
    const links = new UniqueList<string>();
    for (const link of asArray(data.ExtendedLinks)) {
      const l = asObject(link);
      if (l?.Type === 'webLink') links.add(asString(l.Href));
    }
    put(doc, 'office365.investigation.alert.urls', links.items);
    put(doc, 'office365.machine_name', asString(data.MachineName));
    put(doc, 'log.level', asString(data.Severity));
    put(doc, 'rule.name', asString(data.AlertDisplayName));
    for (const entity of asArray(data.Entities)) addEntity(facts, entity);
  }
  put(doc, 'office365.investigation.emails', parsed(facts.emails));
  put(doc, 'office365.investigation.email.urls', facts.urls.items);
  put(doc, 'office365.investigation.email.sender.ip', facts.senderIps.items);
  put(doc, 'office365.investigation.email.sender.domains', facts.senderDomains.items);
  put(doc, 'office365.investigation.email.subjects', facts.subjects.items);
  put(doc, 'office365.investigation.threats', facts.threats.items);
  put(doc, 'office365.investigation.delivery.action', facts.deliveryActions.items);
  put(doc, 'email.from.address', facts.from.items);
  put(doc, 'email.to.address', facts.to.items);
  put(doc, 'email.attachments', parsed(facts.attachments));
  put(doc, 'url.original', facts.urls.items[0]);
}
