import type { AuditRecord } from '../core/audit-record.ts';
import { isAuditRecord } from '../core/audit-record.ts';
import { normalizeTimestamp } from './timestamp.ts';
import { asNumber } from './values.ts';

export type ParseRawRecordResult = { ok: true; record: AuditRecord } | { ok: false; reason: string };

const MAX_SHOWN = 60;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Validates one raw record (an object, or its JSON text) before normalization. Malformed records go to the
 * dead-letter output with `reason`: "not JSON: …", "not an object (got an array)", "missing CreationTime",
 * "bad CreationTime …", "bad RecordType …".
 */
export function parseRawRecord(input: unknown): ParseRawRecordResult {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      value = JSON.parse(input.toString());
    } catch (err) {
      return { ok: false, reason: `not JSON: ${(err as Error).message}` };
    }
  }
  if (!isAuditRecord(value)) return { ok: false, reason: `not an object (got ${kindOf(value)})` };
  const creationTime = value.CreationTime;
  if (creationTime === undefined || creationTime === null || creationTime === '')
    return { ok: false, reason: 'missing CreationTime' };
  if (normalizeTimestamp(creationTime) === undefined) {
    return { ok: false, reason: `bad CreationTime ${shown(creationTime)}: expected yyyy-MM-ddTHH:mm:ss (UTC)` };
  }
  const recordType = value.RecordType;
  if (recordType !== undefined && !Number.isInteger(asNumber(recordType))) {
    return { ok: false, reason: `bad RecordType ${shown(recordType)}: expected an integer` };
  }
  return { ok: true, record: value };
}
