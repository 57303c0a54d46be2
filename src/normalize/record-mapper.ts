import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';

/** Adds the fields specific to one RecordType family to a document that already has the common fields. */
export type RecordMapper = (record: AuditRecord, doc: EcsDocument) => void;
