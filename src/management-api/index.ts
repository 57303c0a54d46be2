/** Office 365 Management Activity API client: clouds, MSAL tokens, throttling, retries, paging, streamed blobs. */
export { CLOUD_ENDPOINTS, endpointsFor, type TenantEndpoints } from './clouds.ts';
export { ApiError, classifyApiError, isRetryable, type ApiErrorKind } from './errors.ts';
export { HttpAgents, type HttpAgentOptions } from './http-agents.ts';
export {
  ManagementApiClient,
  formatApiTime,
  type ManagementApiClientOptions,
  type SubscriptionResult,
  type SubscriptionStatus,
} from './management-api-client.ts';
export { createTenantClient, type TenantClient, type TenantClientDeps } from './tenant-client.ts';
export { MsalTokenProvider, type TokenProvider } from './token-provider.ts';
export { TokenBucket } from './token-bucket.ts';
