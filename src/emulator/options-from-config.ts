import type { EmulatorConfig } from './config.ts';
import type { ChaosOptions, EmulatorOptions } from './types.ts';

/** Everything of EmulatorOptions that comes from the `emulator:` config section (tenants and logger are the caller's). */
export function emulatorOptionsFromConfig(config: EmulatorConfig): Omit<EmulatorOptions, 'tenants' | 'logger'> {
  const c = config.chaos;
  const chaos: ChaosOptions = {
    duplicateWithinBlob: c.duplicate_within_blob,
    duplicateAcrossBlobs: c.duplicate_across_blobs,
    lateBlob: c.late_blob,
    lateBlobMaxMs: c.late_blob_max,
    transientError: c.transient_error,
    throttle: c.throttle,
    throttleStatus: c.throttle_status,
    publisherQuotaPerMinute: c.publisher_quota_per_minute,
    slowResponse: c.slow_response,
    slowResponseMs: c.slow_response_delay,
    truncatedBlob: c.truncated_blob,
    foreignContentUri: c.foreign_content_uri,
    hugeBlobBytes: c.huge_blob_bytes,
    nextPageUrlSpelling: c.next_page_url_spelling,
    blobRedirect: c.blob_redirect,
    blobRedirectTarget: c.blob_redirect_target,
    badNextPageBefore: c.bad_next_page_older_than > 0 ? Date.now() - c.bad_next_page_older_than : 0,
    listingWithoutExpiration: c.listing_without_expiration,
    listingWithoutContentUri: c.listing_without_content_uri,
    nonObjectElement: c.non_object_element,
    echoCredentials: c.echo_credentials,
    apiErrorEcho: c.api_error_echo,
  };
  return {
    port: config.port,
    seed: config.seed,
    pageSize: config.page_size,
    retentionMs: config.retention,
    startGraceMs: config.start_grace,
    maxStoredBytes: config.max_stored_mb * 1024 * 1024,
    live: { eventsPerMinute: config.events_per_minute, recordsPerBlob: config.records_per_blob, scenarios: config.scenarios },
    backfillMs: config.backfill,
    chaos,
  };
}
