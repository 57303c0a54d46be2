import { readFileSync } from 'node:fs';
import type { CollectionConfig, TenantConfig } from '../collector/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { endpointsFor } from './clouds.ts';
import type { HttpAgents } from './http-agents.ts';
import type { RequestLanes } from './request-lanes.ts';
import { ManagementApiClient } from './management-api-client.ts';
import { TokenBucket } from './token-bucket.ts';
import { MsalTokenProvider, type TokenProvider } from './token-provider.ts';

export interface TenantClientDeps {
  logger: Logger;
  /** The shared HTTP agents (one per distinct CA set, shared by every tenant). */
  agents: HttpAgents;
  /** Shared bound on control requests (subscriptions, listings) of all tenants. */
  lanes?: RequestLanes;
  /** PEM CA trusted in addition to `ca_file` (tests: the emulator's certificate). */
  ca?: string;
  signal?: AbortSignal;
  /** Replaces MSAL (tests, custom credential sources). */
  tokens?: TokenProvider;
}

export interface TenantClient {
  api: ManagementApiClient;
}

function readCa(tenant: TenantConfig, index: number): string | undefined {
  if (!tenant.ca_file) return undefined;
  try {
    return readFileSync(tenant.ca_file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `tenants[${index}].ca_file`,
      `cannot read ${tenant.ca_file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/** Builds a tenant's API client: endpoints of its cloud, the shared HTTP agent for its CAs, MSAL tokens, token bucket. */
export function createTenantClient(
  tenant: TenantConfig,
  index: number,
  collection: CollectionConfig,
  deps: TenantClientDeps,
): TenantClient {
  const endpoints = endpointsFor(tenant);
  const cas = [readCa(tenant, index), deps.ca].filter((ca): ca is string => Boolean(ca));
  const dispatcher = deps.agents.agentFor(cas);
  const tokens = deps.tokens ?? new MsalTokenProvider(tenant, endpoints, dispatcher, collection.request_timeout);
  const api = new ManagementApiClient({
    tenantId: tenant.tenant_id,
    tenantName: tenant.name,
    publisherId: tenant.publisher_id ?? tenant.tenant_id,
    apiUrl: endpoints.apiUrl,
    tokens,
    bucket: new TokenBucket(collection.requests_per_minute),
    dispatcher,
    ...(deps.lanes ? { lanes: deps.lanes } : {}),
    logger: deps.logger.child({ tenant: tenant.name }),
    requestTimeoutMs: collection.request_timeout,
    maxAttempts: collection.max_request_attempts,
    retryBaseMs: collection.retry_base_delay,
    retryMaxMs: collection.retry_max_delay,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  return { api };
}
