import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { mapCommon } from './common.ts';
import { deriveFields } from './derived-fields.ts';
import { jsonTextOf } from './record-shape.ts';
import { RECORD_MAPPERS } from './record-types/registry.ts';
import { asNumber } from './values.ts';

/** Whether `normalize` has a dedicated mapping for this RecordType (others get the common fields only). */
export function isKnownRecordType(recordType: unknown): boolean {
  const n = asNumber(recordType);
  return n !== undefined && RECORD_MAPPERS.has(n);
}

/** The raw record as JSON text; records that bypassed parseRawRecord may nest too deep for JSON.stringify. */
function messageOf(record: AuditRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    return jsonTextOf(record);
  }
}

/**
 * Maps one Management Activity API record to an Elastic Common Schema document, per RecordType, following the
 * Sekoia.io "Microsoft 365 / Office 365" format (the README lists the deliberate differences).
 *
 * Never throws for an object. A record of a RecordType without a dedicated mapping still gets every common field
 * (@timestamp, event.*, action.*, user.*, source.*, organization.id, office365.*) and keeps the whole raw record
 * as JSON text in `message`, like the reference keeps the original event, so nothing is lost.
 */
export function normalize(record: AuditRecord): EcsDocument {
  const doc: EcsDocument = {};
  mapCommon(record, doc);
  const recordType = asNumber(record.RecordType);
  const mapper = recordType !== undefined ? RECORD_MAPPERS.get(recordType) : undefined;
  if (mapper !== undefined) mapper(record, doc);
  else doc.message = messageOf(record);
  deriveFields(doc);
  return doc;
}
