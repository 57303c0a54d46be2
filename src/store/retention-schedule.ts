import type { Logger } from '../observability/logger.ts';
import type { EventStore } from './event-store.ts';

/**
 * Runs `store.applyRetention()` now and then every `intervalMs` (timer unref'd: it never keeps the process alive).
 * A failed run is logged and retried at the next tick. Returns a function that stops the schedule.
 */
export function scheduleRetention(store: EventStore, intervalMs: number, logger: Logger): () => void {
  const run = () => {
    try {
      const result = store.applyRetention();
      if (result.deletedEvents > 0 || result.deletedAlerts > 0) logger.info(result, 'event store retention applied');
    } catch (err) {
      logger.error({ err }, 'event store retention failed');
    }
  };
  run();
  const timer = setInterval(run, Math.max(1000, intervalMs));
  timer.unref();
  return () => clearInterval(timer);
}
