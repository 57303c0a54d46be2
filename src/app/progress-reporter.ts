import type { Logger } from '../observability/logger.ts';
import type { StatusLine } from '../observability/status-line.ts';
import { describeProgress, readProgress, type TenantProgress } from './progress.ts';

export interface ProgressReporterOptions {
  logger: Logger;
  /** On a terminal: the line redrawn in place every `ttyIntervalMs`; otherwise a log line every `logIntervalMs`. */
  statusLine?: StatusLine;
  ttyIntervalMs?: number;
  logIntervalMs?: number;
}

/**
 * Shows collection progress during backfills and catch-ups (blobs listed/fetched/queued, events, ETA), and a final
 * summary per tenant on stop. Reads the collector's metrics; costs nothing between ticks.
 */
export function startProgressReporter(options: ProgressReporterOptions): { stop(): Promise<void> } {
  const { logger, statusLine } = options;
  const started = Date.now();
  let previous: TenantProgress[] = [];
  let previousAt = started;
  let lastLogged = '';
  const tick = async () => {
    const now = await readProgress();
    const at = Date.now();
    const line = describeProgress(now, previous, at - previousAt);
    previous = now;
    previousAt = at;
    if (statusLine) statusLine.set(line);
    else if (line !== lastLogged) {
      lastLogged = line;
      logger.info({ progress: now }, line);
    }
  };
  const interval = statusLine ? (options.ttyIntervalMs ?? 2_000) : (options.logIntervalMs ?? 60_000);
  const timer = setInterval(() => void tick().catch(() => undefined), interval);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      statusLine?.end();
      const final = await readProgress();
      const minutes = ((Date.now() - started) / 60_000).toFixed(1);
      logger.info(
        { summary: final },
        `summary after ${minutes} min: ${final.map((t) => `${t.tenant} ${t.eventsDelivered} events from ${t.blobsFetched} blobs`).join('; ') || 'nothing collected'}`,
      );
    },
  };
}
