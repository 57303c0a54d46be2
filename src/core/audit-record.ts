/**
 * One audit record as the Management Activity API (or Event Hub) delivers it.
 * Only the common-schema fields are typed; everything else is kept as-is.
 */
export interface AuditRecord {
  Id?: string;
  RecordType?: number;
  CreationTime?: string;
  Operation?: string;
  OrganizationId?: string;
  UserType?: number;
  UserKey?: string;
  UserId?: string;
  Workload?: string;
  ResultStatus?: string;
  ObjectId?: string;
  ClientIP?: string | null;
  [field: string]: unknown;
}

export function isAuditRecord(value: unknown): value is AuditRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
