import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { VERSION } from '../core/version.ts';

/** The process-wide Prometheus registry; modules register their metrics on it. */
export const metricsRegistry = new Registry();
// Standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…), so stock dashboards and alerts work.
collectDefaultMetrics({ register: metricsRegistry });

new Gauge({
  name: 'o365_intake_build_info',
  help: 'Always 1; the labels say which build is running',
  labelNames: ['version', 'node_version'],
  registers: [metricsRegistry],
}).set({ version: VERSION, node_version: process.version }, 1);
