import { z } from 'zod';
import { duration } from '../config/duration.ts';

const probability = z.number().min(0).max(1);

/** Fault injection of the emulator (all off by default); see ChaosOptions in ./types.ts. */
export const emulatorChaosSchema = z
  .object({
    duplicate_within_blob: probability.default(0),
    duplicate_across_blobs: probability.default(0),
    late_blob: probability.default(0),
    late_blob_max: duration.default(3 * 3_600_000),
    transient_error: probability.default(0),
    throttle: probability.default(0),
    throttle_status: z.union([z.literal(403), z.literal(429)]).default(403),
    /** Requests per minute per PublisherIdentifier; 0 = unlimited. */
    publisher_quota_per_minute: z.number().int().min(0).default(60_000),
    slow_response: probability.default(0),
    slow_response_delay: duration.default(2_000),
    truncated_blob: probability.default(0),
    foreign_content_uri: probability.default(0),
    /** Publish one streamed blob of at least this many bytes at start (0 = none). */
    huge_blob_bytes: z.number().int().min(0).default(0),
    next_page_url_spelling: z.boolean().default(false),
    blob_redirect: probability.default(0),
    blob_redirect_target: z.enum(['api-host', 'foreign-host']).default('foreign-host'),
    /** Listings of windows starting more than this long before the emulator started get an invalid NextPageUri (0 = off). */
    bad_next_page_older_than: duration.default(0),
    listing_without_expiration: probability.default(0),
    listing_without_content_uri: probability.default(0),
    non_object_element: probability.default(0),
    echo_credentials: z.boolean().default(false),
    api_error_echo: probability.default(0),
  })
  .strict()
  .prefault({});

/** Options of the built-in emulator when `npm start` runs with no tenant configured. */
export const emulatorSchema = z
  .object({
    /** auto: start the emulator only when no tenant is configured. */
    mode: z.enum(['auto', 'always', 'never']).default('auto'),
    port: z.number().int().min(0).max(65535).default(0),
    /** Generated events per minute per tenant. */
    events_per_minute: z.number().int().min(0).default(120),
    tenants: z.number().int().min(1).max(50).default(2),
    /** Seed of every random choice (records, chaos): the same seed gives the same data. */
    seed: z.number().int().min(0).default(1),
    /** History published at start (spread over this period before now), so the first poll already finds events; 0 = none. */
    backfill: duration.default(3_600_000),
    records_per_blob: z.number().int().min(1).max(100_000).default(80),
    /** Mix demo attack scenarios (password spray, forwarding rule, admin grant…) into the stream. */
    scenarios: z.boolean().default(true),
    /** Blobs per /subscriptions/content page before NextPageUri. */
    page_size: z.number().int().min(1).default(200),
    /** contentExpiration = contentCreated + retention. */
    retention: duration.default(7 * 86_400_000),
    /** Memory bound for stored blobs in MiB; the oldest are evicted (then answer AF20051). */
    max_stored_mb: z.number().int().min(1).default(512),
    /** Grace beyond 7 days accepted for startTime. */
    start_grace: duration.default(3_600_000),
    chaos: emulatorChaosSchema,
  })
  .strict()
  .prefault({});
export type EmulatorConfig = z.infer<typeof emulatorSchema>;
