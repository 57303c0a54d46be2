import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asArray, asObject, asString } from '../values.ts';

/** ExchangeAdmin (1): cmdlets such as New-InboxRule, Set-Mailbox, Add-MailboxPermission. */
export function mapExchangeAdmin(record: AuditRecord, doc: EcsDocument): void {
  const parameters: string[] = [];
  for (const item of asArray(record.Parameters)) {
    const p = asObject(item);
    const name = asString(p?.Name);
    if (name !== undefined) parameters.push(`${name}:${asString(p?.Value) ?? ''}`);
  }
  put(doc, 'office365.exchange_admin.parameters', parameters);
}
