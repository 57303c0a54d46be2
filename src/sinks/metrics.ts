import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.ts';

export const sinkEventsDelivered = new Counter({
  name: 'o365_intake_sink_events_delivered_total',
  help: 'Events acknowledged by the destination, per sink',
  labelNames: ['sink'] as const,
  registers: [metricsRegistry],
});

export const sinkEventsDeadLettered = new Counter({
  name: 'o365_intake_sink_events_dead_lettered_total',
  help: 'Events a destination refused for good (too large, mapping error, 4xx), written to the dead-letter file, per sink and reason',
  labelNames: ['sink', 'reason'] as const,
  registers: [metricsRegistry],
});

export const sinkRetries = new Counter({
  name: 'o365_intake_sink_retries_total',
  help: 'Requests retried after a retryable failure (network, 5xx, 429), per sink',
  labelNames: ['sink'] as const,
  registers: [metricsRegistry],
});

export const spoolPendingBytes = new Gauge({
  name: 'o365_intake_sink_spool_pending_bytes',
  help: 'Bytes spooled to disk and not yet delivered, per sink',
  labelNames: ['sink'] as const,
  registers: [metricsRegistry],
});

export const sinkUnconfirmedEvents = new Counter({
  name: 'o365_intake_sink_unconfirmed_events_total',
  help: 'Events sent in a request the destination accepted but did not confirm one by one (Sekoia: fewer event_ids than events), per sink',
  labelNames: ['sink'] as const,
  registers: [metricsRegistry],
});
