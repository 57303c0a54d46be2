import type { SinkPositions } from '../core/delivery.ts';
import type { DetectionStateRow, DetectionStateSource } from '../core/detection-state.ts';
import type { HealthSource, ReconciliationReport } from '../core/health.ts';

/** One collection stream: a tenant × content type. */
export interface StreamKey {
  tenantId: string;
  contentType: string;
}

export type BlobState = 'pending' | 'done' | 'quarantined' | 'expired';

/** A content blob as listed by `/subscriptions/content` (times in epoch ms). */
export interface ListedBlob {
  contentId: string;
  contentUri: string;
  contentCreated: number;
  expiration: number;
}

/** A blob in the durable queue (and ledger: rows stay until their expiration, whatever their state). */
export interface QueuedBlob extends ListedBlob, StreamKey {
  state: BlobState;
  attempts: number;
  nextAttemptAt: number;
  /** Records of this blob already delivered and committed (resume point inside a big blob). */
  delivered: number;
  lastError?: string;
}

export interface StreamState {
  /** End (epoch ms) of the last window listed completely, pages included. */
  listedThrough?: number;
  subscriptionEnabled: boolean;
  lastStartAttemptAt?: number;
  /** Start of the first window ever listed (the backfill horizon): the reconciliation sweep looks no further back. */
  listedFrom?: number;
}

/** A delivered batch, committed atomically with the sink positions and the seen event ids. */
export interface BatchCommit {
  key: StreamKey;
  contentId: string;
  /** Total records of the blob now delivered (resume point). */
  delivered: number;
  /** True when the blob is finished. */
  done: boolean;
  /** Ids (`${tenantId}:${Id}`) delivered in this batch, remembered until `seenUntil`. */
  eventIds: readonly string[];
  seenUntil: number;
  /** Events actually delivered (after dedup), for the health counters. */
  eventsDelivered: number;
  positions: SinkPositions;
  /** contentCreated of the blob, for the lag indicator. */
  contentCreated: number;
}

export interface BlobFailure {
  error: string;
  nextAttemptAt: number;
  quarantine: boolean;
}

/** A listing window [start, end) that failed; retried with backoff while newer windows go on being listed. */
export interface FailedWindow {
  start: number;
  end: number;
  attempts: number;
  nextAttemptAt: number;
  /** The last error (scrubbed of secrets). */
  error: string;
  firstFailedAt: number;
}

export interface WindowFailure {
  error: string;
  nextAttemptAt: number;
  at: number;
}

/** What the ledger knows of a blob (reconciliation). */
export interface LedgerEntry {
  state: BlobState;
  contentCreated: number;
  lastError?: string;
}

export interface PruneResult {
  blobs: number;
  events: number;
}

/**
 * Durable collection state, keyed by tenant × content type. Async so that a shared (PostgreSQL) implementation
 * with leases can replace the embedded SQLite one without touching the collector.
 */
export interface StateStore extends HealthSource {
  /** Declares a stream (idempotent) so health reports it with its display name before anything happened. */
  registerStream(key: StreamKey, tenantName: string): Promise<void>;
  getStream(key: StreamKey): Promise<StreamState>;
  setListedThrough(key: StreamKey, listedThrough: number): Promise<void>;
  /** Records where listing of the stream began, once (later calls keep the first value). */
  setListedFrom(key: StreamKey, listedFrom: number): Promise<void>;
  setSubscription(key: StreamKey, enabled: boolean, lastStartAttemptAt?: number): Promise<void>;
  /** Adds blobs not yet in the ledger to the queue; returns those that were new. */
  enqueueBlobs(key: StreamKey, blobs: readonly ListedBlob[], now: number): Promise<ListedBlob[]>;
  /** Due blobs of a stream: pending first (oldest contentCreated first), then quarantined ones (low priority). */
  dueBlobs(key: StreamKey, now: number, limit: number): Promise<QueuedBlob[]>;
  recordBlobFailure(key: StreamKey, contentId: string, failure: BlobFailure): Promise<QueuedBlob | undefined>;
  /** Marks a blob lost (expired or gone); counted in the stream's expired total. */
  markBlobExpired(key: StreamKey, contentId: string, reason: string): Promise<void>;
  /** Pending or quarantined blobs whose expiration has passed, all streams. */
  overdueBlobs(now: number): Promise<QueuedBlob[]>;
  /** The subset of `eventIds` already delivered. */
  filterSeen(eventIds: readonly string[]): Promise<Set<string>>;
  /**
   * Group commit: the progress of every batch, their seen ids and the sink positions in one transaction (all or
   * nothing). Batches of several blobs and streams may share it; for a sink named twice the last position wins.
   */
  commitBatches(commits: readonly BatchCommit[]): Promise<void>;
  sinkPositions(): Promise<SinkPositions>;
  /**
   * Stores the sinks' positions at open as the committed position of any sink that has none yet, so output
   * written before the first checkpoint is rolled back too after a crash. Existing positions win.
   */
  recordBaselinePositions(positions: SinkPositions): Promise<void>;
  recordPoll(key: StreamKey, at: number, error?: { code: string; message: string }): Promise<void>;
  /** Records (or updates: attempts + 1) a failed listing window of the stream. */
  recordWindowFailure(key: StreamKey, window: { start: number; end: number }, failure: WindowFailure): Promise<void>;
  /** Forgets the failed windows lying inside [start, end) (listed since, or past retention). */
  clearWindowFailures(key: StreamKey, start: number, end: number): Promise<void>;
  /** The stream's failed windows, oldest first. */
  failedWindows(key: StreamKey): Promise<FailedWindow[]>;
  /** The ledger entries of these content ids (absent: never listed). */
  ledgerEntries(key: StreamKey, contentIds: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /** Keeps the last reconciliation sweep's report of the stream (shown by streamHealth). */
  recordReconciliation(key: StreamKey, report: ReconciliationReport): Promise<void>;
  /** Detection state (open correlations, alert groups) committed by earlier runs, of every tenant or of `tenantIds`. */
  loadDetectionState?(tenantIds?: readonly string[]): Promise<DetectionStateRow[]>;
  /** From now on each `commitBatches` also writes the detector's pending state, in the same transaction. */
  attachDetectionState?(source: DetectionStateSource): void;
  /** Drops ledger rows and seen ids past their expiration. */
  prune(now: number): Promise<PruneResult>;
  close(): Promise<void>;
}
