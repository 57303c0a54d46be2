/** ECS normalizer: Management Activity API records → Elastic Common Schema documents. */
export { normalize, isKnownRecordType } from './normalize.ts';
export { parseRawRecord, type ParseRawRecordResult } from './parse-raw-record.ts';
export { describe } from './describe.ts';
export { normalizeTimestamp, parseTimestamp, timestampMillis } from './timestamp.ts';
export { jsonTextOf, MAX_DEPTH } from './record-shape.ts';
