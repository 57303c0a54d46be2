import { scrubSecrets } from '../core/scrub-secrets.ts';
import type { CollectionConfig, TenantConfig } from './config.ts';
import { ApiError } from '../management-api/errors.ts';
import { endpointsFor } from '../management-api/clouds.ts';
import type { ManagementApiClient } from '../management-api/management-api-client.ts';
import { HttpAgents } from '../management-api/http-agents.ts';
import { createTenantClient } from '../management-api/tenant-client.ts';
import type { Logger } from '../observability/logger.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface TenantDiagnosis {
  tenant: string;
  ok: boolean;
  checks: DoctorCheck[];
}

const DAY = 86_400_000;
/** A server clock further off than this makes listing windows fail (AF20055) near the 7-day edge. */
const SKEW_TOLERANCE = 5 * 60_000;
/** Listing pages read per content type: enough to tell "content is flowing" without paging through a day. */
const MAX_PAGES = 3;

/** Remote error text, scrubbed of secrets and tokens (the report is printed to a terminal or pasted into a ticket). */
const messageOf = (err: unknown): string =>
  scrubSecrets(err instanceof ApiError ? `${err.code}: ${err.message}` : (err as Error).message);

async function countRecentBlobs(api: ManagementApiClient, contentType: string, now: number): Promise<string> {
  let blobs = 0;
  let pages = 0;
  for await (const page of api.listContent(contentType, now - DAY + 60_000, now - 60_000)) {
    blobs += page.length;
    if (++pages >= MAX_PAGES) return `${blobs}+ blobs in the last 24 h`;
  }
  return `${blobs} blob${blobs === 1 ? '' : 's'} in the last 24 h`;
}

/**
 * Read-only checks of one tenant, for onboarding: credentials and consent, clock skew, subscription of each content
 * type, and whether content is listed. Starts nothing (`run` starts missing subscriptions). Never throws.
 */
export async function diagnoseTenant(
  tenant: TenantConfig,
  index: number,
  collection: CollectionConfig,
  deps: { logger: Logger; ca?: string },
): Promise<TenantDiagnosis> {
  const checks: DoctorCheck[] = [];
  const endpoints = endpointsFor(tenant);
  const agents = new HttpAgents({ requestTimeoutMs: collection.request_timeout, connectionsPerOrigin: 2 });
  try {
    const client = createTenantClient(
      tenant,
      index,
      { ...collection, max_request_attempts: 2 },
      { logger: deps.logger, agents, ...(deps.ca ? { ca: deps.ca } : {}) },
    );
    const subscriptions = await client.api.listSubscriptions();
    checks.push({
      name: 'sign-in',
      ok: true,
      detail: `token from ${endpoints.loginUrl} accepted by ${endpoints.apiUrl} (PublisherIdentifier ${tenant.publisher_id ?? tenant.tenant_id})`,
    });
    const skew = client.api.clockSkewMs;
    checks.push({
      name: 'clock',
      ok: Math.abs(skew) < SKEW_TOLERANCE,
      detail:
        skew === 0
          ? 'in step with the API server'
          : `API server clock is ${Math.round(skew / 1000)} s ${skew > 0 ? 'ahead' : 'behind'} (windows are shifted to match)`,
    });
    const now = Date.now() + skew;
    for (const contentType of tenant.content_types) {
      const subscription = subscriptions.find((s) => s.contentType === contentType);
      if (!subscription) {
        checks.push({
          name: contentType,
          ok: true,
          detail: 'not subscribed yet: `run` starts the subscription (content can take up to 12 h to appear)',
        });
        continue;
      }
      if (!subscription.enabled) {
        checks.push({
          name: contentType,
          ok: false,
          detail: 'subscription disabled (AF20023): `run` starts it again; content produced while it was off is lost',
        });
        continue;
      }
      try {
        checks.push({
          name: contentType,
          ok: true,
          detail: `subscription enabled; ${await countRecentBlobs(client.api, contentType, now)}`,
        });
      } catch (err) {
        checks.push({ name: contentType, ok: false, detail: `listing failed: ${messageOf(err)}` });
      }
    }
  } catch (err) {
    checks.push({ name: 'sign-in', ok: false, detail: messageOf(err) });
  } finally {
    await agents.close();
  }
  return { tenant: tenant.name, ok: checks.every((c) => c.ok), checks };
}
