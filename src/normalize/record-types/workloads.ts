import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asArray, asString } from '../values.ts';

/** MipLabel (43): sensitivity labels applied to email messages. */
export function mapMipLabel(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'email.sender.address', asString(record.Sender));
  put(doc, 'email.subject', asString(record.ItemName));
  put(
    doc,
    'email.to.address',
    asArray(record.Receivers).filter((r) => typeof r === 'string'),
  );
  put(doc, 'office365.mip.label_name', asString(record.LabelName));
}

/** MicrosoftForms (66): form creation, edits, responses. */
export function mapForms(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'office365.source.application', asString(record.SourceApp));
  put(doc, 'office365.form_name', asString(record.FormName));
}
