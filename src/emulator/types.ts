import type { AuditRecord } from '../core/audit-record.ts';
import type { ContentType } from '../core/content-types.ts';
import type { Logger } from '../observability/logger.ts';

export interface EmulatorAppSpec {
  clientId: string;
  clientSecret?: string;
  /** PEM certificate registered for client-assertion sign-in. */
  certificatePem?: string;
  /** App roles put in access tokens (default ActivityFeed.Read + ActivityFeed.ReadDlp). */
  roles?: string[];
}

export interface EmulatorTenantSpec {
  tenantId: string;
  name?: string;
  /** Verified domain usable instead of the GUID at the token endpoint (default `{name}.onmicrosoft.com`). */
  domain?: string;
  apps: EmulatorAppSpec[];
  /** Unified audit logging disabled: every Activity API call fails like the real service. */
  auditDisabled?: boolean;
}

/** Fault injection; every switch is independent and seeded. Probabilities are in [0, 1]. */
export interface ChaosOptions {
  /** Probability that a record is repeated (same Id, identical content) inside its blob. */
  duplicateWithinBlob: number;
  /** Probability that a blob also carries a copy of a record from an earlier blob of the same tenant. */
  duplicateAcrossBlobs: number;
  /** Probability that a generated blob is late: published now, contentCreated hours in the past. */
  lateBlob: number;
  /** How far in the past a late blob's contentCreated is (max, ms; default 3 h). */
  lateBlobMaxMs: number;
  /** Probability that any request fails with 500 AF50000, 503 or 408. */
  transientError: number;
  /** Probability that any API request is throttled. */
  throttle: number;
  /** Status used for throttling: 403 with AF429 (documented) or 429 with Retry-After. */
  throttleStatus: 403 | 429;
  /** Requests per minute allowed per PublisherIdentifier (missing id = shared all-zeros pool); 0 = unlimited. */
  publisherQuotaPerMinute: number;
  /** Probability that a response is delayed by `slowResponseMs`. */
  slowResponse: number;
  slowResponseMs: number;
  /** Probability that a blob body is cut in the middle (socket destroyed). */
  truncatedBlob: number;
  /** Probability that a listed contentUri points at `localhost` instead of 127.0.0.1. */
  foreignContentUri: number;
  /** When > 0, the next generated blob is a streamed "huge" blob of at least this many bytes. */
  hugeBlobBytes: number;
  /** Emit the `NextPageUrl` header spelling instead of `NextPageUri`. */
  nextPageUrlSpelling: boolean;
  /** Probability that a blob download answers `302 Found` instead of the body (a CDN or front door redirecting). */
  blobRedirect: number;
  /** Where that redirect points: the same blob on the API host (then served), or on a foreign host (`localhost`). */
  blobRedirectTarget: 'api-host' | 'foreign-host';
  /** Listings of windows starting before this time (epoch ms; 0 = off) get a NextPageUri with an invalid nextPage (AF20031). */
  badNextPageBefore: number;
  /** Probability that a listing entry lacks `contentExpiration` (an optional field). */
  listingWithoutExpiration: number;
  /** Probability that a listing entry lacks `contentUri` (a required field). */
  listingWithoutContentUri: number;
  /** Probability that a published blob carries a string or a null element among its records (stored: every download has it). */
  nonObjectElement: number;
  /** The token endpoint echoes the submitted client_secret / client_assertion in its error description. */
  echoCredentials: boolean;
  /** Probability that an API request fails with 400 whose message echoes the request's Authorization header. */
  apiErrorEcho: number;
}

export interface EmulatorOptions {
  port?: number;
  seed?: number;
  tenants: EmulatorTenantSpec[];
  /** Blobs per /content page (default 200). */
  pageSize?: number;
  /** Blob retention: contentExpiration = contentCreated + retention (default 7 days). */
  retentionMs?: number;
  /** Memory bound for stored blob bodies (default 512 MiB); the oldest are evicted and then answer AF20051. */
  maxStoredBytes?: number;
  /** Grace added to the 7-day startTime limit (default 1 hour). */
  startGraceMs?: number;
  /** Background ticker publishing blobs with contentCreated = now. */
  live?: { eventsPerMinute: number; recordsPerBlob?: number; scenarios?: boolean };
  /** At start, publish blobs spread over the past `backfillMs` (ms). */
  backfillMs?: number;
  chaos?: Partial<ChaosOptions>;
  /** PEM CA trusted for webhook addresses (a receiver with a self-signed certificate). */
  webhookCa?: string;
  /** Webhook notification retries: attempts before the webhook is disabled (default 5), first delay doubled each time (default 200 ms). */
  webhookRetry?: { maxAttempts?: number; retryBaseMs?: number };
  now?: () => number;
  logger?: Logger;
}

export interface EmulatorStats {
  /** Requests by kind: token, openid, discovery, start, stop, list, content, blob, dlpTypes, notFound. */
  requests: Record<string, number>;
  tokensIssued: number;
  /** Injected faults by kind: transient500, transient503, transient408, throttled, slow, truncated, foreignUri, late, duplicateWithin, duplicateAcross, huge. */
  injected: Record<string, number>;
  /** API calls made without a PublisherIdentifier parameter. */
  withoutPublisherIdentifier: number;
  /** Requests refused by the per-PublisherIdentifier quota. */
  quotaThrottled: number;
  blobsPublished: number;
  recordsPublished: number;
}

export interface PublishOptions {
  recordsPerBlob?: number;
  /** contentCreated of the blobs (epoch ms); in the past = late blob. Default now. */
  contentCreated?: number;
}

export interface GenerateOptions extends PublishOptions {
  contentTypes?: ContentType[];
}

export interface Emulator {
  /** https://127.0.0.1:PORT, serving both the login endpoints and the API. */
  readonly url: string;
  /** PEM certificate of the emulator's TLS server; trust it as a CA. */
  readonly caPem: string;
  publish(tenantId: string, contentType: ContentType, records: AuditRecord[], opts?: PublishOptions): string[];
  generate(tenantId: string, count: number, opts?: GenerateOptions): void;
  /**
   * Publishes one streamed blob of at least `minBytes` (never held in memory), created at `contentCreated` (default:
   * now); returns its contentId.
   */
  publishHugeBlob(tenantId: string, contentType: ContentType, minBytes: number, contentCreated?: number): string;
  publishedIds(tenantId: string): Set<string>;
  setChaos(chaos: Partial<ChaosOptions>): void;
  stats(): EmulatorStats;
  stop(): Promise<void>;
}
