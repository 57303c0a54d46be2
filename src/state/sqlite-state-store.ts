import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DetectionStateRow, DetectionStateSource } from '../core/detection-state.ts';
import type { SinkPositions } from '../core/delivery.ts';
import { IntakeError } from '../core/errors.ts';
import type { ReconciliationReport, StreamHealth } from '../core/health.ts';
import { scrubSecrets } from '../core/scrub-secrets.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './sqlite-schema.ts';
import { SqliteSeenIds } from './sqlite-seen-ids.ts';
import { withStatementCache } from './statement-cache.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { type Logger, silentLogger } from '../observability/logger.ts';
import {
  FAILED_WINDOW_COUNTS_SQL,
  streamHealthOf,
  toFailedWindow,
  toQueuedBlob,
  WAITING_BLOBS_SQL,
  type BlobCountRow,
  type BlobRow,
  type FailedWindowCountRow,
  type FailedWindowRow,
  type ReconciliationRow,
  type StreamRow,
} from './rows.ts';
import type {
  BatchCommit,
  BlobFailure,
  FailedWindow,
  LedgerEntry,
  ListedBlob,
  PruneResult,
  QueuedBlob,
  StateStore,
  StreamKey,
  StreamState,
  WindowFailure,
} from './state-store.ts';

export class StateStoreError extends IntakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE_STORE', message, options);
  }
}

/** Content ids are looked up in chunks below SQLite's bound-parameter limit. */
const LOOKUP_CHUNK = 500;

/**
 * WAL pages between checkpoints on the main connection: 64 MB rather than 4 MB, since a commit of 1,000 random ids
 * dirties up to 1,000 pages of the day's table and the default checkpointed after nearly every commit (12% less CPU in
 * bench/state).
 */
const AUTOCHECKPOINT_PAGES = 16_384;
/** The same while a checkpoint thread runs: 256 MB, a bound should the thread fall behind. */
const AUTOCHECKPOINT_PAGES_BEHIND_THREAD = 65_536;

/** The embedded state store: one SQLite file in WAL mode. Every write is a single short transaction. */
export class SqliteStateStore implements StateStore {
  readonly #db: Database.Database;
  readonly #seen: SqliteSeenIds;
  #detection: DetectionStateSource | undefined;
  /** The statements of every commit, prepared once. */
  #commitStatements: Record<'saveProgress' | 'savePosition' | 'ensureStream' | 'countEvents', Database.Statement> | undefined;

  readonly #path: string;
  readonly #logger: Logger;
  #checkpointer: WalCheckpointer | undefined;

  constructor(path: string, options: { logger?: Logger } = {}) {
    this.#path = path;
    this.#logger = options.logger ?? silentLogger;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      this.#db = withStatementCache(new Database(path));
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      // Dedup lookups probe random keys of tables that outgrow the 2 MB page cache: read through a memory map, each miss
      // costs a page fault instead of a read() and a copy (bench/state, 5M ids: lookups 5.8 → 6.9 µs/id from the first to
      // the last million instead of 5.6 → 8.2). The mapped pages are the OS's file cache, shared and reclaimable.
      this.#db.pragma('mmap_size = 1073741824');
      const version = this.#db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) throw new StateStoreError(`${path} was written by a newer version (schema ${version})`);
      this.#db.exec(SCHEMA_SQL);
      this.#db.pragma(`user_version = ${SCHEMA_VERSION}`);
      this.#seen = new SqliteSeenIds(this.#db);
    } catch (err) {
      if (err instanceof StateStoreError) throw err;
      throw new StateStoreError(`cannot open state file ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async registerStream(key: StreamKey, tenantName: string): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO streams (tenant_id, content_type, tenant_name) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id, content_type) DO UPDATE SET tenant_name = excluded.tenant_name`,
      )
      .run(key.tenantId, key.contentType, tenantName);
  }

  #ensureStream(key: StreamKey): void {
    this.#db.prepare('INSERT OR IGNORE INTO streams (tenant_id, content_type) VALUES (?, ?)').run(key.tenantId, key.contentType);
  }

  async getStream(key: StreamKey): Promise<StreamState> {
    const row = this.#db
      .prepare('SELECT * FROM streams WHERE tenant_id = ? AND content_type = ?')
      .get(key.tenantId, key.contentType) as StreamRow | undefined;
    const origin = this.#db
      .prepare('SELECT listed_from FROM stream_origins WHERE tenant_id = ? AND content_type = ?')
      .get(key.tenantId, key.contentType) as { listed_from: number } | undefined;
    const listedFrom = origin ? { listedFrom: origin.listed_from } : {};
    if (!row) return { subscriptionEnabled: false, ...listedFrom };
    return {
      ...listedFrom,
      subscriptionEnabled: Number(row.subscription_enabled) === 1,
      ...(row.listed_through === null ? {} : { listedThrough: row.listed_through }),
      ...(row.last_start_attempt_at === null ? {} : { lastStartAttemptAt: row.last_start_attempt_at }),
    };
  }

  async setListedThrough(key: StreamKey, listedThrough: number): Promise<void> {
    this.#ensureStream(key);
    this.#db
      .prepare('UPDATE streams SET listed_through = ? WHERE tenant_id = ? AND content_type = ?')
      .run(listedThrough, key.tenantId, key.contentType);
  }

  async setListedFrom(key: StreamKey, listedFrom: number): Promise<void> {
    this.#db
      .prepare('INSERT OR IGNORE INTO stream_origins (tenant_id, content_type, listed_from) VALUES (?, ?, ?)')
      .run(key.tenantId, key.contentType, listedFrom);
  }

  async setSubscription(key: StreamKey, enabled: boolean, lastStartAttemptAt?: number): Promise<void> {
    this.#ensureStream(key);
    this.#db
      .prepare(
        `UPDATE streams SET subscription_enabled = ?, last_start_attempt_at = COALESCE(?, last_start_attempt_at)
         WHERE tenant_id = ? AND content_type = ?`,
      )
      .run(enabled ? 1 : 0, lastStartAttemptAt ?? null, key.tenantId, key.contentType);
  }

  async enqueueBlobs(key: StreamKey, blobs: readonly ListedBlob[], now: number): Promise<ListedBlob[]> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO blobs (tenant_id, content_type, content_id, content_uri, content_created, expiration, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // A blob still waiting whose contentUri changed (e.g. a first listing gave a bad host) takes the new one and is due now.
    const refreshUri = this.#db.prepare(
      `UPDATE blobs SET content_uri = ?, next_attempt_at = MIN(next_attempt_at, ?)
       WHERE tenant_id = ? AND content_type = ? AND content_id = ? AND content_uri <> ? AND state IN ('pending', 'quarantined')`,
    );
    const added: ListedBlob[] = [];
    this.#db.transaction(() => {
      for (const blob of blobs) {
        const result = insert.run(
          key.tenantId,
          key.contentType,
          blob.contentId,
          blob.contentUri,
          blob.contentCreated,
          blob.expiration,
          now,
        );
        if (result.changes > 0) added.push(blob);
        else refreshUri.run(blob.contentUri, now, key.tenantId, key.contentType, blob.contentId, blob.contentUri);
      }
    })();
    return added;
  }

  async dueBlobs(key: StreamKey, now: number, limit: number): Promise<QueuedBlob[]> {
    const rows = this.#db
      .prepare(
        // 'pending' sorts before 'quarantined': the blobs_waiting index gives this order without sorting the backlog.
        `SELECT * FROM blobs WHERE tenant_id = ? AND content_type = ? AND state IN ('pending', 'quarantined') AND next_attempt_at <= ?
         ORDER BY state, content_created, content_id LIMIT ?`,
      )
      .all(key.tenantId, key.contentType, now, limit) as BlobRow[];
    return rows.map(toQueuedBlob);
  }

  async recordBlobFailure(key: StreamKey, contentId: string, failure: BlobFailure): Promise<QueuedBlob | undefined> {
    const row = this.#db
      .prepare(
        `UPDATE blobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
           state = CASE WHEN ? THEN 'quarantined' ELSE state END
         WHERE tenant_id = ? AND content_type = ? AND content_id = ? AND state IN ('pending', 'quarantined') RETURNING *`,
      )
      .get(
        failure.nextAttemptAt,
        scrubSecrets(failure.error),
        failure.quarantine ? 1 : 0,
        key.tenantId,
        key.contentType,
        contentId,
      ) as BlobRow | undefined;
    return row && toQueuedBlob(row);
  }

  async markBlobExpired(key: StreamKey, contentId: string, reason: string): Promise<void> {
    this.#db.transaction(() => {
      const changed = this.#db
        .prepare(
          `UPDATE blobs SET state = 'expired', last_error = ?
           WHERE tenant_id = ? AND content_type = ? AND content_id = ? AND state IN ('pending', 'quarantined')`,
        )
        .run(scrubSecrets(reason), key.tenantId, key.contentType, contentId).changes;
      if (changed > 0) {
        this.#ensureStream(key);
        this.#db
          .prepare('UPDATE streams SET expired_total = expired_total + 1 WHERE tenant_id = ? AND content_type = ?')
          .run(key.tenantId, key.contentType);
      }
    })();
  }

  async overdueBlobs(now: number): Promise<QueuedBlob[]> {
    const rows = this.#db
      .prepare(`SELECT * FROM blobs WHERE state IN ('pending', 'quarantined') AND expiration <= ? ORDER BY expiration`)
      .all(now) as BlobRow[];
    return rows.map(toQueuedBlob);
  }

  async filterSeen(eventIds: readonly string[]): Promise<Set<string>> {
    return this.#seen.filter(eventIds);
  }

  async commitBatches(commits: readonly BatchCommit[]): Promise<void> {
    if (commits.length === 0) return;
    const seenIds = this.#seen.prepare(commits);
    this.#commitStatements ??= {
      saveProgress: this.#db.prepare(
        `UPDATE blobs SET delivered = ?, state = CASE WHEN ? THEN 'done' ELSE state END, last_error = CASE WHEN ? THEN NULL ELSE last_error END
         WHERE tenant_id = ? AND content_type = ? AND content_id = ?`,
      ),
      savePosition: this.#db.prepare(
        'INSERT INTO sink_positions (sink, position) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET position = excluded.position',
      ),
      ensureStream: this.#db.prepare('INSERT OR IGNORE INTO streams (tenant_id, content_type) VALUES (?, ?)'),
      countEvents: this.#db.prepare(
        `UPDATE streams SET events_total = events_total + ?, newest_content_at = MAX(COALESCE(newest_content_at, 0), ?)
         WHERE tenant_id = ? AND content_type = ?`,
      ),
    };
    const { saveProgress, savePosition, ensureStream, countEvents } = this.#commitStatements;
    this.#db.transaction(() => {
      const positions: Record<string, string> = {};
      for (const commit of commits) {
        const { key } = commit;
        const done = commit.done ? 1 : 0;
        const changed = saveProgress.run(commit.delivered, done, done, key.tenantId, key.contentType, commit.contentId).changes;
        if (changed === 0)
          throw new StateStoreError(`blob ${commit.contentId} of ${key.tenantId}/${key.contentType} is not in the queue`);
        Object.assign(positions, commit.positions);
        ensureStream.run(key.tenantId, key.contentType);
        countEvents.run(commit.eventsDelivered, commit.contentCreated, key.tenantId, key.contentType);
      }
      this.#seen.insert(seenIds);
      for (const [sink, position] of Object.entries(positions)) savePosition.run(sink, position);
      this.#writeDetectionState();
    })();
    this.#seen.committed(seenIds);
    this.#detection?.stateCommitted();
    this.#checkpointer?.committed();
  }

  /**
   * With the detector's state, every commit also rewrites the correlation groups it changed: several times the WAL of
   * collection alone, so its checkpoints move to a thread of their own (`WalCheckpointer`), and this connection only
   * checkpoints should that thread fall far behind (or stop).
   */
  attachDetectionState(source: DetectionStateSource): void {
    this.#detection = source;
    if (this.#path === ':memory:' || this.#checkpointer) return;
    const checkpointer = new WalCheckpointer(this.#path, {
      onError: (message, code) =>
        this.#logger.warn({ err: message, code }, 'state file checkpoint failed; retried after the next commit'),
      onStopped: (reason) => {
        this.#checkpointer = undefined;
        if (this.#db.open) this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        this.#logger.warn({ reason }, 'state file checkpoint thread stopped; checkpointing on the main connection again');
      },
    });
    this.#db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES_BEHIND_THREAD}`);
    this.#checkpointer = checkpointer;
  }

  async loadDetectionState(tenantIds?: readonly string[]): Promise<DetectionStateRow[]> {
    const rows = this.#db.prepare('SELECT key, tenant_id AS tenantId, value FROM detection_state').all() as DetectionStateRow[];
    if (!tenantIds) return rows;
    const wanted = new Set(tenantIds);
    return rows.filter((row) => wanted.has(row.tenantId));
  }

  #writeDetectionState(): void {
    const changes = this.#detection?.pendingState();
    if (!changes) return;
    const upsert = this.#db.prepare(
      `INSERT INTO detection_state (key, tenant_id, value) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET tenant_id = excluded.tenant_id, value = excluded.value`,
    );
    const remove = this.#db.prepare('DELETE FROM detection_state WHERE key = ?');
    for (const row of changes.upserts) upsert.run(row.key, row.tenantId, row.value);
    for (const row of changes.deletes) remove.run(row.key);
  }

  /**
   * Records the positions of freshly opened sinks that have no committed position yet, so that output written
   * before the first checkpoint (and lost in a crash) is rolled back on the next open. Existing positions win.
   */
  async recordBaselinePositions(positions: SinkPositions): Promise<void> {
    const insert = this.#db.prepare('INSERT OR IGNORE INTO sink_positions (sink, position) VALUES (?, ?)');
    this.#db.transaction(() => {
      for (const [sink, position] of Object.entries(positions)) insert.run(sink, position);
    })();
  }

  async sinkPositions(): Promise<SinkPositions> {
    const rows = this.#db.prepare('SELECT sink, position FROM sink_positions').all() as { sink: string; position: string }[];
    return Object.fromEntries(rows.map((row) => [row.sink, row.position]));
  }

  async recordPoll(key: StreamKey, at: number, error?: { code: string; message: string }): Promise<void> {
    this.#ensureStream(key);
    if (error) {
      this.#db
        .prepare(
          `UPDATE streams SET last_poll_at = ?, last_error_code = ?, last_error_message = ?, last_error_at = ?
           WHERE tenant_id = ? AND content_type = ?`,
        )
        .run(at, error.code, scrubSecrets(error.message), at, key.tenantId, key.contentType);
    } else {
      this.#db
        .prepare('UPDATE streams SET last_poll_at = ?, last_success_at = ? WHERE tenant_id = ? AND content_type = ?')
        .run(at, at, key.tenantId, key.contentType);
    }
  }

  async recordWindowFailure(key: StreamKey, window: { start: number; end: number }, failure: WindowFailure): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO failed_windows (tenant_id, content_type, window_start, window_end, next_attempt_at, last_error, first_failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, content_type, window_start) DO UPDATE SET attempts = attempts + 1,
           window_end = excluded.window_end, next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error`,
      )
      .run(
        key.tenantId,
        key.contentType,
        window.start,
        window.end,
        failure.nextAttemptAt,
        scrubSecrets(failure.error),
        failure.at,
      );
  }

  async clearWindowFailures(key: StreamKey, start: number, end: number): Promise<void> {
    this.#db
      .prepare('DELETE FROM failed_windows WHERE tenant_id = ? AND content_type = ? AND window_start >= ? AND window_end <= ?')
      .run(key.tenantId, key.contentType, start, end);
  }

  async failedWindows(key: StreamKey): Promise<FailedWindow[]> {
    const rows = this.#db
      .prepare('SELECT * FROM failed_windows WHERE tenant_id = ? AND content_type = ? ORDER BY window_start')
      .all(key.tenantId, key.contentType) as FailedWindowRow[];
    return rows.map(toFailedWindow);
  }

  async ledgerEntries(key: StreamKey, contentIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const entries = new Map<string, LedgerEntry>();
    for (let i = 0; i < contentIds.length; i += LOOKUP_CHUNK) {
      const chunk = contentIds.slice(i, i + LOOKUP_CHUNK);
      const rows = this.#db
        .prepare(
          `SELECT * FROM blobs WHERE tenant_id = ? AND content_type = ? AND content_id IN (${chunk.map(() => '?').join(',')})`,
        )
        .all(key.tenantId, key.contentType, ...chunk) as BlobRow[];
      for (const row of rows) {
        entries.set(row.content_id, {
          state: row.state,
          contentCreated: row.content_created,
          ...(row.last_error === null ? {} : { lastError: row.last_error }),
        });
      }
    }
    return entries;
  }

  async recordReconciliation(key: StreamKey, report: ReconciliationReport): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO reconciliations (tenant_id, content_type, at, listed, missing, undelivered, unlisted_windows, examples)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant_id, content_type) DO UPDATE SET at = excluded.at, listed = excluded.listed,
           missing = excluded.missing, undelivered = excluded.undelivered, unlisted_windows = excluded.unlisted_windows,
           examples = excluded.examples`,
      )
      .run(
        key.tenantId,
        key.contentType,
        report.at,
        report.listed,
        report.missing,
        report.undelivered,
        report.unlistedWindows,
        scrubSecrets(JSON.stringify(report.examples)),
      );
  }

  async prune(now: number): Promise<PruneResult> {
    const blobs = this.#db.prepare(`DELETE FROM blobs WHERE state IN ('done', 'expired') AND expiration <= ?`).run(now).changes;
    return { blobs, events: this.#seen.prune(now) };
  }

  async streamHealth(): Promise<StreamHealth[]> {
    const streams = this.#db.prepare('SELECT * FROM streams ORDER BY tenant_name, content_type').all() as StreamRow[];
    const counts = this.#db.prepare(WAITING_BLOBS_SQL('blobs')).all() as BlobCountRow[];
    const windows = this.#db.prepare(FAILED_WINDOW_COUNTS_SQL('failed_windows')).all() as FailedWindowCountRow[];
    const reconciliations = this.#db.prepare('SELECT * FROM reconciliations').all() as ReconciliationRow[];
    return streamHealthOf(streams, counts, windows, reconciliations);
  }

  async close(): Promise<void> {
    const checkpointer = this.#checkpointer;
    this.#checkpointer = undefined;
    await checkpointer?.close();
    if (this.#db.open) this.#db.close();
  }
}
