import { z } from 'zod';
import { CONTENT_TYPES } from '../core/content-types.ts';
import { duration } from '../config/duration.ts';
import { secret } from '../config/secret-ref.ts';

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');

export const CLOUDS = ['commercial', 'gcc', 'gcc-high', 'dod'] as const;
export type Cloud = (typeof CLOUDS)[number];

const certificate = z.object({
  /** PEM private key (RSA), usually `file:/path/key.pem`. */
  private_key: secret,
  /** PEM certificate, used to compute the thumbprint sent as x5t / x5t#S256. */
  certificate: z.string().min(1),
});

export const tenantSchema = z
  .object({
    /** A short label used in logs, metrics and the UI. */
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    tenant_id: guid,
    client_id: guid,
    client_secret: secret.optional(),
    certificate: certificate.optional(),
    cloud: z.enum(CLOUDS).default('commercial'),
    /** Sent as PublisherIdentifier on every call; defaults to tenant_id. */
    publisher_id: guid.optional(),
    content_types: z
      .array(z.enum(CONTENT_TYPES))
      .min(1)
      .default([...CONTENT_TYPES]),
    /** Overrides for the cloud's hosts (used for the emulator and private endpoints). */
    login_url: z.string().url().optional(),
    api_url: z.string().url().optional(),
    /** PEM CA bundle trusted for the login and API hosts (private endpoints, the emulator). */
    ca_file: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    /** Opt-in push notifications: sent on subscription start; served by the webhook receiver (path = the address's path). */
    webhook: z
      .object({
        /** Public HTTPS address Microsoft POSTs notifications to, e.g. https://public.example/o365/contoso. */
        address: z
          .string()
          .url()
          .refine((url) => url.startsWith('https://'), 'must be an https:// URL'),
        /** Sent back by Microsoft as Webhook-AuthID; the receiver refuses requests without it. */
        auth_id: secret.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((t) => Boolean(t.client_secret) !== Boolean(t.certificate), {
    message: 'set exactly one of client_secret or certificate',
    path: ['client_secret'],
  });

export type TenantConfig = z.infer<typeof tenantSchema>;

export const collectionSchema = z
  .object({
    poll_interval: duration.prefault('60s'),
    /** Size of each listing window (≤ 24h). */
    window: duration.prefault('1h').refine((ms) => ms > 0 && ms <= 86_400_000, 'must be more than 0 and at most 24h'),
    /** Trailing window re-listed on every poll so late blobs are found. */
    settle_window: duration.prefault('24h'),
    /** How far back to start on first run (clamped to 7 days minus a margin). */
    backfill: duration.prefault('7d'),
    /** Blob downloads in flight per tenant. */
    concurrency: z.number().int().min(1).max(64).default(4),
    /**
     * Blobs fetched or being fetched and not yet delivered, all tenants together (default: twice the connections per
     * API host, at most 128): bounds the memory of records waiting for delivery.
     */
    blobs_in_hand: z.number().int().min(1).max(10_000).optional(),
    requests_per_minute: z.number().int().min(1).default(2000),
    /** Attempts before a blob is quarantined. */
    max_blob_attempts: z.number().int().min(1).default(8),
    /** Events per delivery batch. */
    batch_size: z.number().int().min(1).max(100_000).default(1000),
    /** Listing windows end this long before now (blobs being published are not half-listed). */
    listing_delay: duration.prefault('30s'),
    /** Minimum time between two subscription start attempts of one stream (Microsoft asks for 15 minutes). */
    subscription_cooldown: duration.prefault('15m'),
    /** How long delivered event ids are remembered for dedup (blobs live 7 days; 8 covers late copies). */
    dedup_ttl: duration.prefault('8d'),
    /** Timeout of one HTTP request (headers, and between body chunks). */
    request_timeout: duration.prefault('60s'),
    /** Attempts of one request on throttling or transient errors before the item is retried later. */
    max_request_attempts: z.number().int().min(1).max(20).default(5),
    /** First retry delay; doubles each attempt (with jitter) up to retry_max_delay. */
    retry_base_delay: duration.prefault('1s'),
    retry_max_delay: duration.prefault('5m'),
    /** Wait before a quarantined blob is tried again (it never blocks the others meanwhile). */
    quarantine_retry_delay: duration.prefault('30m'),
    /** Wait before trying a tenant again after its credentials were rejected. */
    auth_retry_delay: duration.prefault('5m'),
    /** How often the reconciliation sweep re-lists the 7 days per stream and reports what was not delivered; 0 = off. */
    reconcile_interval: duration
      .prefault('1h')
      .refine((ms) => ms === 0 || (ms >= 60_000 && ms <= 7 * 86_400_000), 'must be 0 (off) or between 1m and 7d'),
    /** A pending blob younger than this (contentCreated) is still on its way: the sweep does not report it. */
    reconcile_grace: duration.prefault('1h'),
  })
  .strict()
  .prefault({});

export type CollectionConfig = z.infer<typeof collectionSchema>;
