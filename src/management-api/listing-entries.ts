import type { ListedBlob } from '../state/state-store.ts';
import { ApiError } from './errors.ts';

/** Microsoft keeps content 7 days after it becomes available: the expiry assumed when a listing entry gives none. */
export const ASSUMED_RETENTION_MS = 7 * 86_400_000;

/** A listing entry that cannot be queued, and why. */
export interface SkippedEntry {
  index: number;
  contentId?: string;
  reason: string;
}

export interface ParsedListing {
  blobs: ListedBlob[];
  skipped: SkippedEntry[];
}

const time = (value: unknown): number | undefined => {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : ms;
};

/**
 * One `/subscriptions/content` page. `contentId` and `contentUri` are required (without them a blob cannot be
 * fetched or deduplicated): an entry lacking one is skipped with the reason, the rest of the page is kept.
 * `contentCreated` defaults to the window start (the blob was listed in it) and `contentExpiration` to
 * contentCreated + 7 days, so an entry with an optional field missing is still queued.
 */
export function parseListing(value: unknown, contentType: string, windowStart: number): ParsedListing {
  if (!Array.isArray(value))
    throw new ApiError(`listing of ${contentType} is not a JSON array`, { kind: 'transient', afCode: 'INVALID_LISTING' });
  const blobs: ListedBlob[] = [];
  const skipped: SkippedEntry[] = [];
  value.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      skipped.push({ index, reason: `entry is not an object (got ${item === null ? 'null' : typeof item})` });
      return;
    }
    const { contentId, contentUri, contentCreated, contentExpiration } = item as Record<string, unknown>;
    const id = typeof contentId === 'string' && contentId.length > 0 ? contentId : undefined;
    const missing = [
      id ? undefined : 'contentId',
      typeof contentUri === 'string' && contentUri ? undefined : 'contentUri',
    ].filter((name): name is string => name !== undefined);
    if (missing.length > 0) {
      skipped.push({ index, ...(id ? { contentId: id } : {}), reason: `no valid ${missing.join(' or ')}` });
      return;
    }
    const created = time(contentCreated) ?? windowStart;
    blobs.push({
      contentId: id as string,
      contentUri: contentUri as string,
      contentCreated: created,
      expiration: time(contentExpiration) ?? created + ASSUMED_RETENTION_MS,
    });
  });
  return { blobs, skipped };
}
