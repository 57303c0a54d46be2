import type { StreamHealth, StreamStatus } from '../core/health.ts';
import type { BlobState, QueuedBlob } from './state-store.ts';

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
}

/** The SQL both stores run to count waiting blobs (same table layout). */
export const WAITING_BLOBS_SQL = (table: string): string =>
  `SELECT tenant_id, content_type, state, COUNT(*) AS n FROM ${table} WHERE state IN ('pending', 'quarantined') GROUP BY 1, 2, 3`;

function statusOf(row: StreamRow, quarantined: number): StreamStatus {
  if (row.last_poll_at === null) return 'starting';
  const errorAt = row.last_error_at ?? -1;
  if (errorAt >= (row.last_success_at ?? -1) && row.last_error_code !== null) return 'error';
  return quarantined > 0 ? 'degraded' : 'ok';
}

/** Collection health of every stream from its row and the counts of its waiting blobs. */
export function streamHealthOf(streams: readonly StreamRow[], counts: readonly BlobCountRow[]): StreamHealth[] {
  const countOf = (row: StreamRow, state: BlobState): number =>
    Number(counts.find((c) => c.tenant_id === row.tenant_id && c.content_type === row.content_type && c.state === state)?.n ?? 0);
  return streams.map((row) => {
    const quarantined = countOf(row, 'quarantined');
    return {
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      contentType: row.content_type,
      status: statusOf(row, quarantined),
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
    };
  });
}
