import type { AuditRecord } from './audit-record.ts';

/** One record as a source (Management Activity API collector, Event Hub consumer) hands it downstream. */
export interface SourceRecord {
  /** Tenant GUID (OrganizationId) for the Management API; the configured tenant label for an Event Hub. */
  tenantId: string;
  /** The tenant's configured name, for display. */
  tenantName: string;
  source: 'management-api' | 'eventhub';
  /** Content type (`Audit.Exchange`…) or `EventHub`. */
  contentType: string;
  /** Blob contentId, or `partition:sequenceNumber` for an Event Hub. */
  contentId: string;
  record: AuditRecord;
  /**
   * The record's JSON text as received, on one line, when the source kept it (raw output writes it as it is). A
   * source sets it only for a record it found nested at most MAX_DEPTH levels (src/normalize/record-shape.ts).
   */
  text?: string;
}

/** The id used for dedup and idempotent delivery: `${tenantId}:${record Id}`. */
export function eventIdOf(tenantId: string, record: AuditRecord): string | undefined {
  return typeof record.Id === 'string' && record.Id.length > 0 ? `${tenantId}:${record.Id}` : undefined;
}
