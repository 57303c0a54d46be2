import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../observability/metrics.ts';

export const eventHubRecords = new Counter({
  name: 'o365_intake_eventhub_records_total',
  help: 'Records read from Event Hubs, by hub and kind (entra-signin, defender, invalid…)',
  labelNames: ['hub', 'kind'] as const,
  registers: [metricsRegistry],
});

export const eventHubHeartbeats = new Counter({
  name: 'o365_intake_eventhub_heartbeats_total',
  help: 'Heartbeat messages dropped, by hub',
  labelNames: ['hub'] as const,
  registers: [metricsRegistry],
});

export const eventHubDuplicates = new Counter({
  name: 'o365_intake_eventhub_duplicates_total',
  help: 'Records dropped because their id was already delivered, by hub',
  labelNames: ['hub'] as const,
  registers: [metricsRegistry],
});

export const eventHubLag = new Gauge({
  name: 'o365_intake_eventhub_lag_seconds',
  help: 'Now minus the enqueued time of the newest delivered message, by hub and partition',
  labelNames: ['hub', 'partition'] as const,
  registers: [metricsRegistry],
});
