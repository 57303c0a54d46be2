import { Registry, collectDefaultMetrics } from 'prom-client';

/** The process-wide Prometheus registry; modules register their metrics on it. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'o365_intake_' });
