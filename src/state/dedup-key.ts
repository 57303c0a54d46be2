import { createHash } from 'node:crypto';

/** Seen ids are kept in one bucket per UTC day of their expiry; expiry drops a whole bucket. */
export const DAY_MS = 86_400_000;

/** The day bucket holding an id remembered until `until` (epoch ms). */
export const bucketOf = (until: number): number => Math.floor(until / DAY_MS);

/** The bucket may be dropped once its whole day has passed: every id in it expired at or before its end. */
export const bucketExpired = (day: number, now: number): boolean => (day + 1) * DAY_MS <= now;

/** A record Id as Microsoft writes it: a lowercase GUID. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
  if (recordId.length === 36 && GUID.test(recordId)) return Buffer.from(recordId.replaceAll('-', ''), 'hex');
  return createHash('sha256').update(recordId).digest().subarray(0, 16);
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
