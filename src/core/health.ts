export type StreamStatus = 'starting' | 'ok' | 'degraded' | 'error' | 'disabled';

/** Collection health of one tenant × content type (or one Event Hub), for the UI and /healthz. */
export interface StreamHealth {
  tenantId: string;
  tenantName: string;
  contentType: string;
  status: StreamStatus;
  lastPollAt?: number;
  lastSuccessAt?: number;
  /** contentCreated of the newest blob fetched (epoch ms). */
  newestContentAt?: number;
  eventsTotal: number;
  pendingBlobs: number;
  quarantinedBlobs: number;
  expiredBlobs: number;
  lastError?: { code: string; message: string; at: number };
  /** Why a quarantined blob of the stream failed (the latest reason stored). */
  quarantineReason?: string;
  /** Listing windows that failed and wait for a retry (newer windows are listed meanwhile). */
  failedWindows?: { count: number; oldestStart: number; error: string };
  /** The last reconciliation sweep of the stream. */
  reconciliation?: ReconciliationReport;
}

/** What a reconciliation sweep (re-listing the 7 days the API keeps) found for one stream. */
export interface ReconciliationReport {
  at: number;
  /** Blobs the API lists over the retention period. */
  listed: number;
  /** Listed by the API but unknown to the ledger (normal listing missed them): queued by the sweep. */
  missing: number;
  /** Known to the ledger but not delivered: quarantined, expired, or pending for longer than the grace period. */
  undelivered: number;
  /** Windows not listed: failed windows still waiting for a retry, and windows the sweep itself could not list. */
  unlistedWindows: number;
  /** A few examples (blob ids with their state and reason, windows with their error). */
  examples: string[];
}

export interface HealthSource {
  streamHealth(): Promise<StreamHealth[]>;
}
