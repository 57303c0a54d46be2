import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.ts';

const labelNames = ['tenant', 'content_type'] as const;
const counter = (name: string, help: string) =>
  new Counter({ name: `o365_intake_${name}`, help, labelNames, registers: [metricsRegistry] });

const gauge = (name: string, help: string) =>
  new Gauge({ name: `o365_intake_${name}`, help, labelNames, registers: [metricsRegistry] });

export const collectorMetrics = {
  blobsListed: counter('blobs_listed_total', 'New blobs found by listing (each contentId counted once)'),
  blobsFetched: counter('blobs_fetched_total', 'Blobs downloaded and delivered completely'),
  blobsFailed: counter('blobs_failed_total', 'Blob download or delivery attempts that failed (retried later)'),
  blobsExpired: counter('blobs_expired_total', 'Blobs lost: expired or gone before they could be fetched'),
  blobsQuarantined: counter('blobs_quarantined_total', 'Blobs quarantined after too many failed attempts'),
  eventsDelivered: counter('events_delivered_total', 'Events delivered to the pipeline'),
  elementsInvalid: counter(
    'blob_elements_invalid_total',
    'Blob array elements that are not records (string, null…), handed to the pipeline for its dead-letter output',
  ),
  dedupHits: counter('dedup_hits_total', 'Events dropped because their Id was already delivered'),
  windowsListed: counter('listing_windows_listed_total', 'Listing windows listed completely (every NextPageUri page)'),
  windowFailures: counter('listing_window_failures_total', 'Listing windows that failed (retried; newer windows go on)'),
  windowsAbandoned: counter(
    'listing_windows_abandoned_total',
    'Listing windows that failed until they left the 7 days the API keeps (their blobs may be lost)',
  ),
  subscriptionsStarted: counter('subscriptions_started_total', 'Subscription start calls that succeeded (AF20024 included)'),
  windowsFailing: new Gauge({
    name: 'o365_intake_listing_windows_failing',
    help: 'Listing windows that failed and wait for a retry',
    labelNames,
    registers: [metricsRegistry],
  }),
  reconcileMissing: gauge(
    'reconcile_missing_blobs',
    'Last reconciliation sweep: blobs the API lists that normal listing never queued (queued by the sweep)',
  ),
  reconcileUndelivered: gauge(
    'reconcile_undelivered_blobs',
    'Last reconciliation sweep: blobs listed but not delivered (quarantined, expired, or pending past the grace)',
  ),
  reconcileUnlistedWindows: gauge('reconcile_unlisted_windows', 'Last reconciliation sweep: listing windows not listed'),
  reconcileLastRun: gauge('reconcile_last_run_timestamp_seconds', 'When the last reconciliation sweep of the stream ended'),
  queueDepth: new Gauge({
    name: 'o365_intake_queue_depth',
    help: 'Blobs listed but not yet fetched',
    labelNames,
    registers: [metricsRegistry],
  }),
  contentLag: new Gauge({
    name: 'o365_intake_newest_content_lag_seconds',
    help: 'Now minus contentCreated of the newest blob delivered',
    labelNames,
    registers: [metricsRegistry],
  }),
};
