import type { AuditRecord } from '../core/audit-record.ts';
import { isAuditRecord } from '../core/audit-record.ts';
import { jsonTextOf, MAX_DEPTH, tooDeepUnder } from './record-shape.ts';
import { parseTimestamp, timestampMillis } from './timestamp.ts';
import { asNumber } from './values.ts';

/**
 * A valid record, or why it is not one. `rawText` is set when the record cannot be kept as an object downstream
 * (nested too deep for recursive serializers): the dead-letter output keeps this text instead. `time` is the
 * CreationTime in epoch ms, parsed here once so that the caller need not parse it again.
 */
export type ParseRawRecordResult =
  | { ok: true; record: AuditRecord; time: number }
  | { ok: false; reason: string; rawText?: string };

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
 * dead-letter output with `reason`: "not JSON: …", "not an object (got an array)", "nested deeper than 100 levels
 * under "X"", "missing CreationTime", "bad CreationTime …: day 30 does not exist in 2024-02", "bad RecordType …".
 * Never throws. `depthChecked`: the caller already knows the record nests at most MAX_DEPTH levels (the walk is skipped).
 */
export function parseRawRecord(input: unknown, depthChecked = false): ParseRawRecordResult {
  let value = input;
  let text: string | undefined;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    text = input.toString();
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { ok: false, reason: `not JSON: ${(err as Error).message}` };
    }
  }
  if (!isAuditRecord(value)) return { ok: false, reason: `not an object (got ${kindOf(value)})` };
  const deep = depthChecked ? undefined : tooDeepUnder(value);
  if (deep !== undefined) {
    return {
      ok: false,
      reason: `nested deeper than ${MAX_DEPTH} levels under ${JSON.stringify(deep)}`,
      rawText: text ?? jsonTextOf(value),
    };
  }
  const creationTime = value.CreationTime;
  if (creationTime === undefined || creationTime === null || creationTime === '')
    return { ok: false, reason: 'missing CreationTime' };
  const time = timestampMillis(creationTime);
  if (time === undefined) {
    const parsed = parseTimestamp(creationTime);
    return { ok: false, reason: `bad CreationTime ${shown(creationTime)}: ${parsed.ok ? 'not a date' : parsed.reason}` };
  }
  const recordType = value.RecordType;
  if (recordType !== undefined && !Number.isInteger(asNumber(recordType))) {
    return { ok: false, reason: `bad RecordType ${shown(recordType)}: expected an integer` };
  }
  return { ok: true, record: value, time };
}
