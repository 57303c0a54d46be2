import { createHash } from 'node:crypto';

/** Seen ids are kept in one bucket per UTC day of their expiry; expiry drops a whole bucket. */
export const DAY_MS = 86_400_000;

/** The day bucket holding an id remembered until `until` (epoch ms). */
export const bucketOf = (until: number): number => Math.floor(until / DAY_MS);

/** The bucket may be dropped once its whole day has passed: every id in it expired at or before its end. */
export const bucketExpired = (day: number, now: number): boolean => (day + 1) * DAY_MS <= now;

/** The value of each lowercase hex digit by char code, -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
const hexValue = (code: number): number => (code < 128 ? (HEX_VALUE[code] as number) : -1);
const DASH = 0x2d;

/**
 * The 16 bytes of a record Id as Microsoft writes it, a lowercase GUID (8-4-4-4-12 hex digits), or undefined for
 * anything else. Decoded in place (this runs for every record twice: dedup lookup and commit).
 */
function guidBytes(id: string): Buffer | undefined {
  if (id.length !== 36 || id.charCodeAt(8) !== DASH || id.charCodeAt(13) !== DASH) return undefined;
  if (id.charCodeAt(18) !== DASH || id.charCodeAt(23) !== DASH) return undefined;
  const bytes = Buffer.allocUnsafe(16);
  let at = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i += 1;
    const high = hexValue(id.charCodeAt(i));
    const low = hexValue(id.charCodeAt(i + 1));
    if (high < 0 || low < 0) return undefined;
    bytes[at] = high * 16 + low;
    at += 1;
  }
  return bytes;
}

/** A delivered event's id in compact form: the tenant (numbered by the store) and 16 bytes for the record Id. */
export interface DedupKey {
  tenant: string;
  id: Buffer;
}

/**
 * 16 bytes for a record Id: the GUID's own bytes, or for any other Id (an uppercase GUID included, so two spellings
 * stay two ids as before) the first 16 bytes of its SHA-256. Two distinct Ids share a key only by a hash collision:
 * about n²/2¹²⁹ for n ids remembered at once, below 10⁻²² for 160 million ids (20M a day over 8 days).
 */
export function recordIdKey(recordId: string): Buffer {
  return guidBytes(recordId) ?? createHash('sha256').update(recordId).digest().subarray(0, 16);
}

/**
 * Splits an event id (`${tenantId}:${record Id}`, see eventIdOf) at its first colon. Distinct strings give distinct
 * (tenant, record Id) pairs, so the split never merges two ids whatever the tenant label holds.
 */
export function dedupKeyOf(eventId: string): DedupKey {
  const colon = eventId.indexOf(':');
  if (colon < 0) return { tenant: '', id: recordIdKey(eventId) };
  return { tenant: eventId.slice(0, colon), id: recordIdKey(eventId.slice(colon + 1)) };
}
