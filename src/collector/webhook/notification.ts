import { IntakeError } from '../../core/errors.ts';
import type { ListedBlob } from '../../state/state-store.ts';
import type { TenantConfig } from '../config.ts';
import { endpointsFor } from '../../management-api/clouds.ts';
import { ASSUMED_RETENTION_MS } from '../../management-api/listing-entries.ts';

/** A notification body the receiver refuses (nothing of it is enqueued, nothing is fetched). */
export class WebhookNotificationError extends IntakeError {
  constructor(message: string) {
    super('WEBHOOK_NOTIFICATION_INVALID', message);
  }
}

export interface NotifiedStream {
  contentType: TenantConfig['content_types'][number];
  blobs: ListedBlob[];
}

const field = (entry: Record<string, unknown>, name: string, index: number): string => {
  const value = entry[name];
  if (typeof value !== 'string' || value === '')
    throw new WebhookNotificationError(`entry ${index}: ${name} is missing or not a string`);
  return value;
};

const time = (entry: Record<string, unknown>, name: string, index: number): number => {
  const value = Date.parse(field(entry, name, index));
  if (Number.isNaN(value)) throw new WebhookNotificationError(`entry ${index}: ${name} is not a date`);
  return value;
};

/**
 * Checks a notification body (JSON array of `{tenantId, contentType, contentId, contentUri, contentCreated,
 * contentExpiration}`) against the tenant: its id, a configured content type, a contentUri on its API host under its
 * own feed. Returns the blobs grouped by content type; throws on the first bad entry.
 */
export function parseNotification(body: unknown, tenant: TenantConfig): NotifiedStream[] {
  if (!Array.isArray(body) || body.length === 0) throw new WebhookNotificationError('body is not a non-empty JSON array');
  const apiOrigin = new URL(endpointsFor(tenant).apiUrl).origin;
  const feedPrefix = `/api/v1.0/${tenant.tenant_id.toLowerCase()}/activity/feed/audit/`;
  const streams = new Map<string, NotifiedStream>();
  body.forEach((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw new WebhookNotificationError(`entry ${i} is not an object`);
    const entry = item as Record<string, unknown>;
    const tenantId = field(entry, 'tenantId', i);
    if (tenantId.toLowerCase() !== tenant.tenant_id.toLowerCase())
      throw new WebhookNotificationError(`entry ${i}: tenantId ${tenantId} is not tenant ${tenant.name}`);
    const contentType = tenant.content_types.find((ct) => ct.toLowerCase() === field(entry, 'contentType', i).toLowerCase());
    if (!contentType)
      throw new WebhookNotificationError(
        `entry ${i}: content type ${String(entry.contentType)} is not collected for tenant ${tenant.name}`,
      );
    const contentUri = field(entry, 'contentUri', i);
    let uri: URL;
    try {
      uri = new URL(contentUri);
    } catch {
      throw new WebhookNotificationError(`entry ${i}: contentUri is not a URL`);
    }
    if (uri.origin !== apiOrigin)
      throw new WebhookNotificationError(
        `entry ${i}: contentUri host ${uri.origin} is not the API host ${apiOrigin} of tenant ${tenant.name}`,
      );
    if (!uri.pathname.toLowerCase().replace('/api/v1/', '/api/v1.0/').startsWith(feedPrefix)) {
      throw new WebhookNotificationError(`entry ${i}: contentUri is not a blob of tenant ${tenant.name}'s feed`);
    }
    const contentCreated = time(entry, 'contentCreated', i);
    const blob: ListedBlob = {
      contentId: field(entry, 'contentId', i),
      contentUri,
      contentCreated,
      // Optional, as in listings: Microsoft keeps content 7 days.
      expiration:
        entry.contentExpiration === undefined || entry.contentExpiration === null
          ? contentCreated + ASSUMED_RETENTION_MS
          : time(entry, 'contentExpiration', i),
    };
    const stream = streams.get(contentType) ?? { contentType, blobs: [] };
    stream.blobs.push(blob);
    streams.set(contentType, stream);
  });
  return [...streams.values()];
}
