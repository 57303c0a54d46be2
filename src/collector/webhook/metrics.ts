import { Counter } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics.ts';

export const webhookMetrics = {
  requests: new Counter({
    name: 'o365_intake_webhook_requests_total',
    help: 'Webhook requests by tenant and outcome (validated, accepted, refused_auth, refused_invalid, too_large, failed)',
    labelNames: ['tenant', 'outcome'] as const,
    registers: [metricsRegistry],
  }),
  blobsNotified: new Counter({
    name: 'o365_intake_webhook_blobs_enqueued_total',
    help: 'Blobs first made known by a webhook notification (before any listing found them)',
    labelNames: ['tenant', 'content_type'] as const,
    registers: [metricsRegistry],
  }),
};
