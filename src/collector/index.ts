/** The Office 365 Management Activity API collector. */
export { createCollector, type Collector, type CollectorOptions, type TenantCycle } from './collector.ts';
export { collectorMetrics } from './metrics.ts';
export { planWindows, MAX_LOOKBACK, type ListingWindow } from './window-planner.ts';
