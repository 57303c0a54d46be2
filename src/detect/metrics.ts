import { Counter } from 'prom-client';
import { metricsRegistry } from '../observability/metrics.ts';

export const detectMetrics = {
  evictedGroups: new Counter({
    name: 'o365_intake_detect_evicted_groups_total',
    help: 'Correlation groups and alert groups dropped because detection.max_groups was reached (least recently used first)',
    labelNames: ['kind'],
    registers: [metricsRegistry],
  }),
  lateEvents: new Counter({
    name: 'o365_intake_detect_late_events_total',
    help: 'Events older than their tenant watermark (newest event time minus detection.allowed_lateness)',
    registers: [metricsRegistry],
  }),
};
