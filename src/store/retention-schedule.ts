import type { Logger } from '../observability/logger.ts';
import type { EventStore } from './event-store.ts';
import type { RetentionResult } from './types.ts';

/**
 * Runs `store.applyRetention()` now and then every `intervalMs` (timer unref'd: it never keeps the process alive).
 * A failed run is logged and retried at the next tick. Returns a function that stops the schedule.
 */
export function scheduleRetention(store: EventStore, intervalMs: number, logger: Logger): () => void {
  const report = (result: RetentionResult) => {
    if (result.deletedEvents > 0 || result.deletedAlerts > 0) logger.info(result, 'event store retention applied');
  };
  const fail = (err: unknown) => logger.error({ err }, 'event store retention failed');
  // A PostgreSQL store's run can outlast the interval: the next tick then skips instead of piling up.
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    try {
      const result = store.applyRetention();
      if (result instanceof Promise)
        running = result.then(report, fail).finally(() => {
          running = undefined;
        });
      else report(result);
    } catch (err) {
      fail(err);
    }
  };
  run();
  const timer = setInterval(run, Math.max(1000, intervalMs));
  timer.unref();
  return () => clearInterval(timer);
}
