import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asArray, asObject, asString, ownValue, stripAngleBrackets } from '../values.ts';

const ITEM_EVENT_TYPES: Readonly<Record<string, readonly string[]>> = {
  Create: ['info', 'creation'],
  Update: ['info', 'change'],
  HardDelete: ['info', 'deletion'],
  SoftDelete: ['info', 'deletion'],
  MoveToDeletedItems: ['info', 'deletion'],
  MailboxLogin: ['start'],
};

/** ExchangeItem (2): one mailbox item (Create, Update, Send, MailboxLogin, UpdateInboxRules…). */
export function mapExchangeItem(record: AuditRecord, doc: EcsDocument): void {
  const login = record.Operation === 'MailboxLogin';
  put(doc, 'event.category', login ? ['authentication'] : ['email', 'file']);
  put(doc, 'event.type', [...(ownValue(ITEM_EVENT_TYPES, asString(record.Operation)) ?? ['info'])]);
  put(doc, 'user.id', asString(record.LogonUserSid));
  put(doc, 'office365.exchange.mailbox_guid', asString(record.MailboxGuid));
  put(doc, 'office365.exchange.mailbox_owner.sid', asString(record.MailboxOwnerSid));
  put(doc, 'office365.exchange.mailbox_owner.upn', asString(record.MailboxOwnerUPN));
  put(doc, 'office365.exchange.send_as_user.smtp', asString(record.SendAsUserSmtp));
  put(doc, 'office365.exchange.send_as_user.mailbox_guid', asString(record.SendAsUserMailboxGuid));
  const item = asObject(record.Item);
  if (item !== undefined) {
    put(doc, 'email.subject', asString(item.Subject));
    put(doc, 'email.message_id', stripAngleBrackets(item.InternetMessageId));
    const attachments = asString(item.Attachments);
    if (attachments !== undefined) put(doc, 'email.attachments', parseAttachments(attachments));
  }
}

const ATTACHMENT = /^([\s\S]*) \((\d+)b\)$/;

/** "report.docx (1024b); C:\\path\\1.pdf (2048b)" → [{file: {name, size}}] (names without their directory). */
export function parseAttachments(text: string): Array<{ file: { name: string; size?: number } }> {
  const out: Array<{ file: { name: string; size?: number } }> = [];
  for (const part of text.split('; ')) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    const m = ATTACHMENT.exec(trimmed);
    const path = m ? (m[1] as string) : trimmed;
    const name = path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
    out.push(m ? { file: { name, size: Number(m[2]) } } : { file: { name } });
  }
  return out;
}

/** ExchangeItemGroup (3): operations on several items at once (SoftDelete, HardDelete, Move…). */
export function mapExchangeItemGroup(record: AuditRecord, doc: EcsDocument): void {
  const login = record.Operation === 'MailboxLogin';
  put(doc, 'event.category', login ? ['authentication'] : ['email']);
  put(doc, 'event.type', login ? ['start'] : ['info']);
  put(doc, 'process.name', asString(record.ClientProcessName));
  put(doc, 'office365.exchange.client_version', asString(record.ClientVersion));
  const subjects: string[] = [];
  const paths: string[] = [];
  const attachments: Array<{ file: { name: string; size?: number } }> = [];
  for (const entry of asArray(record.AffectedItems)) {
    const item = asObject(entry);
    if (item === undefined) continue;
    subjects.push(asString(item.Subject) ?? '');
    const path = asString(asObject(item.ParentFolder)?.Path);
    if (path !== undefined) paths.push(path);
    const text = asString(item.Attachments);
    if (text !== undefined) for (const attachment of parseAttachments(text)) attachments.push(attachment);
  }
  put(doc, 'office365.exchange.email.subjects', subjects);
  put(doc, 'office365.exchange.email.paths', paths);
  put(doc, 'email.attachments', attachments);
}

/** ExchangeItemAggregated (50): MailItemsAccessed — the folders are mapped by the common stage. */
export function mapExchangeItemAggregated(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'user.id', asString(record.LogonUserSid));
}
