import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.ts';

export const apiRequestDuration = new Histogram({
  name: 'o365_intake_api_request_duration_seconds',
  help: 'Management Activity API request latency (until response headers), by tenant, operation and HTTP status',
  labelNames: ['tenant', 'operation', 'status'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const apiRetries = new Counter({
  name: 'o365_intake_api_retries_total',
  help: 'Management Activity API requests retried after a transient failure or throttling',
  labelNames: ['tenant', 'operation', 'kind'] as const,
  registers: [metricsRegistry],
});

export const apiThrottles = new Counter({
  name: 'o365_intake_api_throttled_total',
  help: 'Responses telling us to slow down (HTTP 429 or AF429)',
  labelNames: ['tenant', 'operation'] as const,
  registers: [metricsRegistry],
});

export const apiRedirects = new Counter({
  name: 'o365_intake_api_redirects_total',
  help: 'Management Activity API answers with a 3xx redirect; followed="false" when it pointed away from the API host',
  labelNames: ['tenant', 'operation', 'followed'] as const,
  registers: [metricsRegistry],
});

export const listingEntriesSkipped = new Counter({
  name: 'o365_intake_listing_entries_skipped_total',
  help: 'Listing entries without a contentId or contentUri (they cannot be fetched), skipped with a logged reason',
  labelNames: ['tenant', 'content_type'] as const,
  registers: [metricsRegistry],
});
