import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.ts';

export const pipelineMetrics = {
  events: new Counter({
    name: 'o365_intake_pipeline_events_total',
    help: 'Events normalized and delivered to every sink',
    labelNames: ['tenant'],
    registers: [metricsRegistry],
  }),
  filtered: new Counter({
    name: 'o365_intake_pipeline_filtered_total',
    help: 'Records dropped by the configured filters',
    labelNames: ['tenant'],
    registers: [metricsRegistry],
  }),
  deadLetters: new Counter({
    name: 'o365_intake_pipeline_dead_letters_total',
    help: 'Records that could not be processed, kept in the dead-letter output',
    labelNames: ['tenant'],
    registers: [metricsRegistry],
  }),
  alerts: new Counter({
    name: 'o365_intake_pipeline_alerts_total',
    help: 'Alerts raised by the detection rules',
    labelNames: ['tenant', 'level'],
    registers: [metricsRegistry],
  }),
  sinkWrite: new Histogram({
    name: 'o365_intake_sink_write_seconds',
    help: 'Time until a sink acknowledged a batch',
    labelNames: ['sink'],
    registers: [metricsRegistry],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
  }),
  sinkFailures: new Counter({
    name: 'o365_intake_sink_failures_total',
    help: 'Batches a sink failed to acknowledge',
    labelNames: ['sink'],
    registers: [metricsRegistry],
  }),
};
