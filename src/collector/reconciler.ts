import type { ReconciliationReport } from '../core/health.ts';
import { ApiError } from '../management-api/errors.ts';
import type { ManagementApiClient } from '../management-api/management-api-client.ts';
import type { Logger } from '../observability/logger.ts';
import type { ListedBlob, StateStore, StreamKey } from '../state/state-store.ts';
import type { CollectionConfig } from './config.ts';
import { collectorMetrics as m } from './metrics.ts';
import { MAX_LOOKBACK, planWindows } from './window-planner.ts';

const DAY = 86_400_000;
/** Examples kept per report (the health page shows a few; the log line has these). */
const MAX_EXAMPLES = 20;

export interface ReconcilerOptions {
  tenantName: string;
  collection: CollectionConfig;
  api: ManagementApiClient;
  state: StateStore;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * The reconciliation sweep of one tenant: re-lists the whole 7 days the API keeps (never before the stream's first
 * listed window, so a short `backfill` is respected), per content type, in 24-hour windows (a handful of requests per stream, through the tenant's token bucket), and compares with the ledger.
 * Blobs the API lists that the ledger never saw are queued (normal listing missed them); blobs the ledger has
 * but did not deliver, and windows that could not be listed, are reported. Reports go to the state store
 * (health page, /api/health), to metrics and to the log.
 */
export class Reconciler {
  readonly #o: ReconcilerOptions;
  readonly #log: Logger;

  constructor(options: ReconcilerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ tenant: options.tenantName, task: 'reconciliation' });
  }

  /** Sweeps every stream whose subscription is enabled; throws an ApiError of kind `auth` when the credentials fail. */
  async sweep(keys: readonly StreamKey[]): Promise<ReconciliationReport[]> {
    const reports: ReconciliationReport[] = [];
    for (const key of keys) {
      if (this.#o.signal.aborted) break;
      const stream = await this.#o.state.getStream(key);
      if (!stream.subscriptionEnabled || stream.listedFrom === undefined) continue;
      reports.push(await this.#sweepStream(key, stream.listedFrom));
    }
    const total = (field: 'listed' | 'missing' | 'undelivered' | 'unlistedWindows') => reports.reduce((n, r) => n + r[field], 0);
    if (reports.length > 0) {
      this.#log.info(
        {
          streams: reports.length,
          listed: total('listed'),
          missing: total('missing'),
          undelivered: total('undelivered'),
          unlistedWindows: total('unlistedWindows'),
        },
        'reconciliation sweep done',
      );
    }
    return reports;
  }

  async #sweepStream(key: StreamKey, listedFrom: number): Promise<ReconciliationReport> {
    const { api, state, collection } = this.#o;
    const at = Date.now();
    const report: ReconciliationReport = { at, listed: 0, missing: 0, undelivered: 0, unlistedWindows: 0, examples: [] };
    const example = (text: string): void => {
      if (report.examples.length < MAX_EXAMPLES) report.examples.push(text);
    };
    const windows = planWindows({
      now: at + api.clockSkewMs,
      listedThrough: undefined,
      window: DAY,
      settleWindow: 0,
      backfill: MAX_LOOKBACK,
      listingDelay: collection.listing_delay,
    })
      .filter((w) => w.end > listedFrom)
      .map((w) => ({ start: Math.max(w.start, listedFrom), end: w.end }));
    for (const window of windows) {
      if (this.#o.signal.aborted) return report;
      try {
        for await (const page of api.listContent(key.contentType, window.start, window.end)) {
          await this.#compare(key, page, at, report, example);
        }
      } catch (err) {
        if (this.#o.signal.aborted || (err instanceof ApiError && err.kind === 'auth')) throw err;
        report.unlistedWindows += 1;
        const code = err instanceof ApiError ? err.code : 'ERROR';
        example(
          `window ${new Date(window.start).toISOString()} not listed: ${code}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
    for (const failed of await state.failedWindows(key)) {
      report.unlistedWindows += 1;
      example(`window ${new Date(failed.start).toISOString()} failing since ${new Date(failed.firstFailedAt).toISOString()}`);
    }
    await state.recordReconciliation(key, report);
    this.#publish(key, report);
    return report;
  }

  async #compare(
    key: StreamKey,
    page: readonly ListedBlob[],
    sweepStart: number,
    report: ReconciliationReport,
    example: (text: string) => void,
  ): Promise<void> {
    const { state, collection } = this.#o;
    report.listed += page.length;
    const ledger = await state.ledgerEntries(
      key,
      page.map((b) => b.contentId),
    );
    const unknown = page.filter((b) => !ledger.has(b.contentId));
    if (unknown.length > 0) {
      const added = await state.enqueueBlobs(key, unknown, Date.now());
      report.missing += added.length;
      for (const blob of added) example(`${blob.contentId}: missed by listing, queued now`);
    }
    for (const [contentId, entry] of ledger) {
      if (entry.state === 'done') continue;
      if (entry.state === 'pending' && entry.contentCreated > sweepStart - collection.reconcile_grace) continue;
      report.undelivered += 1;
      example(`${contentId}: ${entry.state}${entry.lastError ? ` (${entry.lastError})` : ''}`);
    }
  }

  #publish(key: StreamKey, report: ReconciliationReport): void {
    const labels = { tenant: this.#o.tenantName, content_type: key.contentType };
    m.reconcileMissing.set(labels, report.missing);
    m.reconcileUndelivered.set(labels, report.undelivered);
    m.reconcileUnlistedWindows.set(labels, report.unlistedWindows);
    m.reconcileLastRun.set(labels, report.at / 1000);
    const clean = report.missing + report.undelivered + report.unlistedWindows === 0;
    const fields = {
      contentType: key.contentType,
      listed: report.listed,
      missing: report.missing,
      undelivered: report.undelivered,
      unlistedWindows: report.unlistedWindows,
      ...(clean ? {} : { examples: report.examples }),
    };
    if (clean) this.#log.debug(fields, 'reconciliation: every blob listed was delivered');
    else this.#log.warn(fields, 'reconciliation found blobs or windows not delivered');
  }
}
