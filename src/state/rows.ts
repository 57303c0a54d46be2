import type { ReconciliationReport, StreamHealth, StreamStatus } from '../core/health.ts';
import type { BlobState, FailedWindow, QueuedBlob } from './state-store.ts';

// Row shapes shared by the SQLite and the PostgreSQL state stores (same tables, same columns).

/** A row of the blobs table (ledger and queue). */
export interface BlobRow {
  tenant_id: string;
  content_type: string;
  content_id: string;
  content_uri: string;
  content_created: number;
  expiration: number;
  state: BlobState;
  attempts: number;
  next_attempt_at: number;
  delivered: number;
  last_error: string | null;
}

export function toQueuedBlob(row: BlobRow): QueuedBlob {
  return {
    tenantId: row.tenant_id,
    contentType: row.content_type,
    contentId: row.content_id,
    contentUri: row.content_uri,
    contentCreated: row.content_created,
    expiration: row.expiration,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    delivered: row.delivered,
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
  };
}

/** A row of the streams table. */
export interface StreamRow {
  tenant_id: string;
  content_type: string;
  tenant_name: string;
  listed_through: number | null;
  /** 0/1 in SQLite, boolean in PostgreSQL. */
  subscription_enabled: number | boolean;
  last_start_attempt_at: number | null;
  last_poll_at: number | null;
  last_success_at: number | null;
  newest_content_at: number | null;
  events_total: number;
  expired_total: number;
  last_error_code: string | null;
  last_error_message: string | null;
  last_error_at: number | null;
}

/** Blobs still waiting, counted per stream and state. */
export interface BlobCountRow {
  tenant_id: string;
  content_type: string;
  state: BlobState;
  n: number;
  /** The greatest stored error of these blobs (one example reason). */
  last_error: string | null;
}

/** The SQL both stores run to count waiting blobs (same table layout). */
export const WAITING_BLOBS_SQL = (table: string): string =>
  `SELECT tenant_id, content_type, state, COUNT(*) AS n, MAX(last_error) AS last_error FROM ${table}
   WHERE state IN ('pending', 'quarantined') GROUP BY 1, 2, 3`;

/** A row of the failed_windows table. */
export interface FailedWindowRow {
  tenant_id: string;
  content_type: string;
  window_start: number;
  window_end: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string;
  first_failed_at: number;
}

export function toFailedWindow(row: FailedWindowRow): FailedWindow {
  return {
    start: Number(row.window_start),
    end: Number(row.window_end),
    attempts: Number(row.attempts),
    nextAttemptAt: Number(row.next_attempt_at),
    error: row.last_error,
    firstFailedAt: Number(row.first_failed_at),
  };
}

/** Failed windows per stream: count, oldest start, latest error. */
export interface FailedWindowCountRow {
  tenant_id: string;
  content_type: string;
  n: number;
  oldest_start: number;
  last_error: string;
}

export const FAILED_WINDOW_COUNTS_SQL = (table: string): string =>
  `SELECT tenant_id, content_type, COUNT(*) AS n, MIN(window_start) AS oldest_start, MAX(last_error) AS last_error
   FROM ${table} GROUP BY 1, 2`;

/** A row of the reconciliations table (examples as JSON text). */
export interface ReconciliationRow {
  tenant_id: string;
  content_type: string;
  at: number;
  listed: number;
  missing: number;
  undelivered: number;
  unlisted_windows: number;
  examples: string;
}

function toReconciliation(row: ReconciliationRow): ReconciliationReport {
  let examples: string[] = [];
  try {
    const parsed = JSON.parse(row.examples) as unknown;
    if (Array.isArray(parsed)) examples = parsed.map(String);
  } catch {
    examples = [];
  }
  return {
    at: Number(row.at),
    listed: Number(row.listed),
    missing: Number(row.missing),
    undelivered: Number(row.undelivered),
    unlistedWindows: Number(row.unlisted_windows),
    examples,
  };
}

function statusOf(row: StreamRow, quarantined: number, failedWindows: number): StreamStatus {
  if (row.last_poll_at === null) return 'starting';
  const errorAt = row.last_error_at ?? -1;
  if (errorAt >= (row.last_success_at ?? -1) && row.last_error_code !== null) return 'error';
  return quarantined > 0 || failedWindows > 0 ? 'degraded' : 'ok';
}

/**
 * Collection health of every stream from its row, the counts of its waiting blobs, its failed listing windows
 * and its last reconciliation sweep.
 */
export function streamHealthOf(
  streams: readonly StreamRow[],
  counts: readonly BlobCountRow[],
  windows: readonly FailedWindowCountRow[] = [],
  reconciliations: readonly ReconciliationRow[] = [],
): StreamHealth[] {
  const same = (row: StreamRow) => (c: { tenant_id: string; content_type: string }) =>
    c.tenant_id === row.tenant_id && c.content_type === row.content_type;
  const countRow = (row: StreamRow, state: BlobState): BlobCountRow | undefined =>
    counts.find((c) => same(row)(c) && c.state === state);
  const countOf = (row: StreamRow, state: BlobState): number => Number(countRow(row, state)?.n ?? 0);
  return streams.map((row) => {
    const quarantined = countOf(row, 'quarantined');
    const quarantineReason = countRow(row, 'quarantined')?.last_error;
    const failed = windows.find(same(row));
    const reconciliation = reconciliations.find(same(row));
    return {
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      contentType: row.content_type,
      status: statusOf(row, quarantined, Number(failed?.n ?? 0)),
      ...(row.last_poll_at === null ? {} : { lastPollAt: row.last_poll_at }),
      ...(row.last_success_at === null ? {} : { lastSuccessAt: row.last_success_at }),
      ...(row.newest_content_at === null ? {} : { newestContentAt: row.newest_content_at }),
      eventsTotal: row.events_total,
      pendingBlobs: countOf(row, 'pending'),
      quarantinedBlobs: quarantined,
      expiredBlobs: row.expired_total,
      ...(row.last_error_code === null || row.last_error_at === null
        ? {}
        : { lastError: { code: row.last_error_code, message: row.last_error_message ?? '', at: row.last_error_at } }),
      ...(quarantineReason ? { quarantineReason } : {}),
      ...(failed
        ? { failedWindows: { count: Number(failed.n), oldestStart: Number(failed.oldest_start), error: failed.last_error } }
        : {}),
      ...(reconciliation ? { reconciliation: toReconciliation(reconciliation) } : {}),
    };
  });
}
