import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { DetectionStateRow, DetectionStateSource } from '../../core/detection-state.ts';
import type { SinkPositions } from '../../core/delivery.ts';
import type { ReconciliationReport, StreamHealth } from '../../core/health.ts';
import { scrubSecrets } from '../../core/scrub-secrets.ts';
import { StateStoreError } from '../sqlite-state-store.ts';
import { inTransaction } from './transaction.ts';
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
} from '../state-store.ts';
import { LeaseLostError } from './errors.ts';
import { LeaseManager } from './lease-manager.ts';
import { PgSeenIds, type PreparedIds } from './pg-seen-ids.ts';
import { migrate } from './schema.ts';
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
} from '../rows.ts';

export interface PostgresStateStoreOptions {
  /** Unique per process; a random id by default. */
  workerId?: string;
  /** Names this machine's sink positions (local sinks such as files roll back per machine); the host name by default. */
  nodeId?: string;
  /** Lease lifetime without renewal (default 30 s): how fast a dead worker's streams move. */
  leaseTtlMs?: number;
  /** Connections in the pool (default 4); lease heartbeats use two more of their own. */
  poolSize?: number;
}

/** Connections reserved for lease heartbeats, so a renewal never queues behind collector transactions. */
const LEASE_POOL_SIZE = 2;

/** BIGINT columns hold epoch milliseconds and counters: well within Number's safe range. */
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Hides the password of a postgres:// URL for error messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1[redacted]@');
}

/**
 * The shared state store for scale-out: many collector processes on different machines use one PostgreSQL database.
 * Each stream (tenant × content type) is leased by one worker (see LeaseManager); every write that changes a
 * stream's state runs in a transaction that first locks the stream row and checks this worker still holds the lease
 * with the same version (fencing token). A stalled worker whose lease moved gets a LeaseLostError and changes nothing.
 * Seen ids are shared (dedup across workers); sink positions are kept per node.
 */
export class PostgresStateStore implements StateStore {
  readonly leases: LeaseManager;
  readonly #pool: pg.Pool;
  readonly #leasePool: pg.Pool;
  readonly #nodeId: string;
  readonly #seen: PgSeenIds;
  #detection: DetectionStateSource | undefined;

  private constructor(pool: pg.Pool, leasePool: pg.Pool, leases: LeaseManager, nodeId: string, seen: PgSeenIds) {
    this.#pool = pool;
    this.#seen = seen;
    this.#leasePool = leasePool;
    this.leases = leases;
    this.#nodeId = nodeId;
  }

  /** Connects, creates the tables if needed, and returns the store. Nothing is leased until `leases.tick()`. */
  static async open(url: string, options: PostgresStateStoreOptions = {}): Promise<PostgresStateStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 4,
      types: pgTypes,
      connectionTimeoutMillis: 10_000,
    });
    pool.on('error', () => undefined); // idle-client errors surface on the next query
    let seen: PgSeenIds;
    try {
      await migrate(pool);
      seen = await PgSeenIds.open(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new StateStoreError(`cannot open PostgreSQL state ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
    }
    const nodeId = options.nodeId ?? hostname();
    // A heartbeat stuck behind busy collector connections could let the lease expire under load (and another
    // worker take over a stream this one is still delivering): leases get a pool of their own.
    const leasePool = new pg.Pool({
      connectionString: url,
      max: LEASE_POOL_SIZE,
      types: pgTypes,
      connectionTimeoutMillis: 10_000,
    });
    leasePool.on('error', () => undefined);
    const leases = new LeaseManager(leasePool, {
      workerId: options.workerId ?? `${nodeId}:${process.pid}:${randomUUID().slice(0, 8)}`,
      nodeId,
      ttlMs: options.leaseTtlMs ?? 30_000,
    });
    return new PostgresStateStore(pool, leasePool, leases, nodeId, seen);
  }

  #tx<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, fn);
  }

  /** Runs `fn` in a transaction holding the stream row lock, after checking the lease version (fencing). */
  #fenced<T>(key: StreamKey, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.#fencedAll([key], fn);
  }

  /**
   * `#fenced` for several streams (a group commit): every stream's row is locked, in one order (tenant, content type)
   * so that two workers never wait on each other, and every lease checked; one lost lease fails the whole transaction.
   */
  async #fencedAll<T>(keys: readonly StreamKey[], fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const unique = [...new Map(keys.map((k) => [`${k.tenantId}\n${k.contentType}`, k])).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, key]) => key);
    const versions = unique.map((key) => {
      const version = this.leases.versionOf(key);
      if (version === undefined) throw new LeaseLostError(key, `not leased by worker ${this.leases.workerId}`);
      return version;
    });
    return this.#tx(async (client) => {
      for (const [i, key] of unique.entries()) {
        const version = versions[i];
        const { rowCount } = await client.query(
          `SELECT 1 FROM o365_streams WHERE tenant_id = $1 AND content_type = $2 AND lease_owner = $3 AND lease_version = $4 FOR UPDATE`,
          [key.tenantId, key.contentType, this.leases.workerId, version],
        );
        if (rowCount === 0) {
          this.leases.forget(key);
          throw new LeaseLostError(key, `another worker holds it now (this worker had version ${version})`);
        }
      }
      return fn(client);
    });
  }

  async registerStream(key: StreamKey, tenantName: string): Promise<void> {
    await this.#pool.query(
      `INSERT INTO o365_streams (tenant_id, content_type, tenant_name) VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id, content_type) DO UPDATE SET tenant_name = excluded.tenant_name`,
      [key.tenantId, key.contentType, tenantName],
    );
  }

  async getStream(key: StreamKey): Promise<StreamState> {
    const { rows } = await this.#pool.query<StreamRow & { listed_from: number | null }>(
      `SELECT s.*, o.listed_from FROM o365_streams s LEFT JOIN o365_stream_origins o USING (tenant_id, content_type)
       WHERE s.tenant_id = $1 AND s.content_type = $2`,
      [key.tenantId, key.contentType],
    );
    const row = rows[0];
    if (!row) return { subscriptionEnabled: false };
    return {
      ...(row.listed_from === null ? {} : { listedFrom: row.listed_from }),
      subscriptionEnabled: row.subscription_enabled === true,
      ...(row.listed_through === null ? {} : { listedThrough: row.listed_through }),
      ...(row.last_start_attempt_at === null ? {} : { lastStartAttemptAt: row.last_start_attempt_at }),
    };
  }

  async setListedThrough(key: StreamKey, listedThrough: number): Promise<void> {
    await this.#fenced(key, (c) =>
      c.query('UPDATE o365_streams SET listed_through = $3 WHERE tenant_id = $1 AND content_type = $2', [
        key.tenantId,
        key.contentType,
        listedThrough,
      ]),
    );
  }

  async setListedFrom(key: StreamKey, listedFrom: number): Promise<void> {
    await this.#fenced(key, (c) =>
      c.query(
        'INSERT INTO o365_stream_origins (tenant_id, content_type, listed_from) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [key.tenantId, key.contentType, listedFrom],
      ),
    );
  }

  async setSubscription(key: StreamKey, enabled: boolean, lastStartAttemptAt?: number): Promise<void> {
    await this.#fenced(key, (c) =>
      c.query(
        `UPDATE o365_streams SET subscription_enabled = $3, last_start_attempt_at = COALESCE($4, last_start_attempt_at)
         WHERE tenant_id = $1 AND content_type = $2`,
        [key.tenantId, key.contentType, enabled, lastStartAttemptAt ?? null],
      ),
    );
  }

  async enqueueBlobs(key: StreamKey, blobs: readonly ListedBlob[], now: number): Promise<ListedBlob[]> {
    if (blobs.length === 0) return [];
    return this.#fenced(key, async (c) => {
      const { rows } = await c.query<{ content_id: string }>(
        `INSERT INTO o365_blobs (tenant_id, content_type, content_id, content_uri, content_created, expiration, next_attempt_at)
         SELECT $1, $2, b.content_id, b.content_uri, b.content_created, b.expiration, $7
         FROM unnest($3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS b(content_id, content_uri, content_created, expiration)
         ON CONFLICT DO NOTHING RETURNING content_id`,
        [
          key.tenantId,
          key.contentType,
          blobs.map((b) => b.contentId),
          blobs.map((b) => b.contentUri),
          blobs.map((b) => b.contentCreated),
          blobs.map((b) => b.expiration),
          now,
        ],
      );
      const added = new Set(rows.map((r) => r.content_id));
      const known = blobs.filter((b) => !added.has(b.contentId));
      if (known.length > 0) {
        // A blob still waiting whose contentUri changed takes the new one and is due now.
        await c.query(
          `UPDATE o365_blobs b SET content_uri = n.content_uri, next_attempt_at = LEAST(b.next_attempt_at, $3)
           FROM unnest($4::text[], $5::text[]) AS n(content_id, content_uri)
           WHERE b.tenant_id = $1 AND b.content_type = $2 AND b.content_id = n.content_id
             AND b.content_uri <> n.content_uri AND b.state IN ('pending', 'quarantined')`,
          [key.tenantId, key.contentType, now, known.map((b) => b.contentId), known.map((b) => b.contentUri)],
        );
      }
      return blobs.filter((b) => added.has(b.contentId));
    });
  }

  async dueBlobs(key: StreamKey, now: number, limit: number): Promise<QueuedBlob[]> {
    // One ordered walk of the waiting index per state, so a long backlog is never sorted whole.
    const { rows } = await this.#pool.query<BlobRow>(
      `SELECT * FROM (
         (SELECT * FROM o365_blobs WHERE tenant_id = $1 AND content_type = $2 AND state = 'pending' AND next_attempt_at <= $3
          ORDER BY content_created, content_id LIMIT $4)
         UNION ALL
         (SELECT * FROM o365_blobs WHERE tenant_id = $1 AND content_type = $2 AND state = 'quarantined' AND next_attempt_at <= $3
          ORDER BY content_created, content_id LIMIT $4)
       ) due ORDER BY state, content_created, content_id LIMIT $4`,
      [key.tenantId, key.contentType, now, limit],
    );
    return rows.map(toQueuedBlob);
  }

  async recordBlobFailure(key: StreamKey, contentId: string, failure: BlobFailure): Promise<QueuedBlob | undefined> {
    return this.#fenced(key, async (c) => {
      const { rows } = await c.query<BlobRow>(
        `UPDATE o365_blobs SET attempts = attempts + 1, next_attempt_at = $4, last_error = $5,
           state = CASE WHEN $6 THEN 'quarantined' ELSE state END
         WHERE tenant_id = $1 AND content_type = $2 AND content_id = $3 AND state IN ('pending', 'quarantined') RETURNING *`,
        [key.tenantId, key.contentType, contentId, failure.nextAttemptAt, scrubSecrets(failure.error), failure.quarantine],
      );
      return rows[0] && toQueuedBlob(rows[0]);
    });
  }

  async markBlobExpired(key: StreamKey, contentId: string, reason: string): Promise<void> {
    await this.#fenced(key, async (c) => {
      const { rowCount } = await c.query(
        `UPDATE o365_blobs SET state = 'expired', last_error = $4
         WHERE tenant_id = $1 AND content_type = $2 AND content_id = $3 AND state IN ('pending', 'quarantined')`,
        [key.tenantId, key.contentType, contentId, scrubSecrets(reason)],
      );
      if ((rowCount ?? 0) > 0) {
        await c.query('UPDATE o365_streams SET expired_total = expired_total + 1 WHERE tenant_id = $1 AND content_type = $2', [
          key.tenantId,
          key.contentType,
        ]);
      }
    });
  }

  /** Overdue blobs of the streams this worker leases (the others are their owners' business). */
  async overdueBlobs(now: number): Promise<QueuedBlob[]> {
    const held = this.leases.held();
    if (held.length === 0) return [];
    const { rows } = await this.#pool.query<BlobRow>(
      `SELECT b.* FROM o365_blobs b
       JOIN unnest($2::text[], $3::text[]) AS h(tenant_id, content_type) ON b.tenant_id = h.tenant_id AND b.content_type = h.content_type
       WHERE b.state IN ('pending', 'quarantined') AND b.expiration <= $1 ORDER BY b.expiration`,
      [now, held.map((l) => l.key.tenantId), held.map((l) => l.key.contentType)],
    );
    return rows.map(toQueuedBlob);
  }

  async filterSeen(eventIds: readonly string[]): Promise<Set<string>> {
    return this.#seen.filter(eventIds);
  }

  attachDetectionState(source: DetectionStateSource): void {
    this.#detection = source;
  }

  async loadDetectionState(tenantIds?: readonly string[]): Promise<DetectionStateRow[]> {
    const { rows } = tenantIds
      ? await this.#pool.query<DetectionStateRow>(
          'SELECT key, tenant_id AS "tenantId", value FROM o365_detection_state WHERE tenant_id = ANY($1::text[])',
          [tenantIds],
        )
      : await this.#pool.query<DetectionStateRow>('SELECT key, tenant_id AS "tenantId", value FROM o365_detection_state');
    return rows;
  }

  /** Writes the detector's pending state in the batch's transaction (keyed by tenant: any worker can resume it). */
  async #writeDetectionState(c: pg.PoolClient): Promise<void> {
    const changes = this.#detection?.pendingState();
    if (!changes) return;
    if (changes.upserts.length > 0) {
      await c.query(
        `INSERT INTO o365_detection_state (key, tenant_id, value)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (key) DO UPDATE SET tenant_id = excluded.tenant_id, value = excluded.value`,
        [changes.upserts.map((r) => r.key), changes.upserts.map((r) => r.tenantId), changes.upserts.map((r) => r.value)],
      );
    }
    if (changes.deletes.length > 0) {
      await c.query('DELETE FROM o365_detection_state WHERE key = ANY($1::text[])', [changes.deletes.map((r) => r.key)]);
    }
  }

  async commitBatches(commits: readonly BatchCommit[]): Promise<void> {
    if (commits.length === 0) return;
    const seenIds: PreparedIds[] = [];
    for (const commit of commits) seenIds.push(await this.#seen.prepare(commit.eventIds, commit.seenUntil));
    await this.#fencedAll(
      commits.map((c) => c.key),
      async (c) => {
        const positions: Record<string, string> = {};
        for (const commit of commits) {
          const { key } = commit;
          const { rowCount } = await c.query(
            `UPDATE o365_blobs SET delivered = $4, state = CASE WHEN $5 THEN 'done' ELSE state END,
               last_error = CASE WHEN $5 THEN NULL ELSE last_error END
             WHERE tenant_id = $1 AND content_type = $2 AND content_id = $3`,
            [key.tenantId, key.contentType, commit.contentId, commit.delivered, commit.done],
          );
          if (rowCount === 0)
            throw new StateStoreError(`blob ${commit.contentId} of ${key.tenantId}/${key.contentType} is not in the queue`);
          await c.query(
            `UPDATE o365_streams SET events_total = events_total + $3, newest_content_at = GREATEST(COALESCE(newest_content_at, 0), $4)
             WHERE tenant_id = $1 AND content_type = $2`,
            [key.tenantId, key.contentType, commit.eventsDelivered, commit.contentCreated],
          );
          Object.assign(positions, commit.positions);
        }
        for (const prepared of seenIds) await this.#seen.insert(c, prepared);
        const entries = Object.entries(positions);
        if (entries.length > 0) {
          await c.query(
            `INSERT INTO o365_sink_positions (node_id, sink, position) SELECT $1, unnest($2::text[]), unnest($3::text[])
             ON CONFLICT (node_id, sink) DO UPDATE SET position = excluded.position`,
            [this.#nodeId, entries.map(([sink]) => sink), entries.map(([, position]) => position)],
          );
        }
        await this.#writeDetectionState(c);
      },
    );
    this.#detection?.stateCommitted();
  }

  /**
   * Records this node's positions of freshly opened sinks that have no committed position yet, so output written
   * before the first checkpoint (and not committed when the process died) is rolled back on the next open.
   * Existing positions win.
   */
  async recordBaselinePositions(positions: SinkPositions): Promise<void> {
    const entries = Object.entries(positions);
    if (entries.length === 0) return;
    await this.#pool.query(
      `INSERT INTO o365_sink_positions (node_id, sink, position) SELECT $1, unnest($2::text[]), unnest($3::text[]) ON CONFLICT (node_id, sink) DO NOTHING`,
      [this.#nodeId, entries.map(([sink]) => sink), entries.map(([, position]) => position)],
    );
  }

  /** Sink positions of this node. */
  async sinkPositions(): Promise<SinkPositions> {
    const { rows } = await this.#pool.query<{ sink: string; position: string }>(
      'SELECT sink, position FROM o365_sink_positions WHERE node_id = $1',
      [this.#nodeId],
    );
    return Object.fromEntries(rows.map((row) => [row.sink, row.position]));
  }

  /**
   * Health bookkeeping, written only by the stream's current owner: a stale worker's poll result is ignored
   * (not an error, so a collector reporting a failure caused by the lease loss itself does not fail again).
   */
  async recordPoll(key: StreamKey, at: number, error?: { code: string; message: string }): Promise<void> {
    const version = this.leases.versionOf(key);
    if (version === undefined) return;
    if (error) {
      await this.#pool.query(
        `UPDATE o365_streams SET last_poll_at = $3, last_error_code = $4, last_error_message = $5, last_error_at = $3
         WHERE tenant_id = $1 AND content_type = $2 AND lease_owner = $6 AND lease_version = $7`,
        [key.tenantId, key.contentType, at, error.code, scrubSecrets(error.message), this.leases.workerId, version],
      );
    } else {
      await this.#pool.query(
        `UPDATE o365_streams SET last_poll_at = $3, last_success_at = $3
         WHERE tenant_id = $1 AND content_type = $2 AND lease_owner = $4 AND lease_version = $5`,
        [key.tenantId, key.contentType, at, this.leases.workerId, version],
      );
    }
  }

  async recordWindowFailure(key: StreamKey, window: { start: number; end: number }, failure: WindowFailure): Promise<void> {
    await this.#fenced(key, (c) =>
      c.query(
        `INSERT INTO o365_failed_windows (tenant_id, content_type, window_start, window_end, next_attempt_at, last_error, first_failed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, content_type, window_start) DO UPDATE SET attempts = o365_failed_windows.attempts + 1,
           window_end = excluded.window_end, next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error`,
        [key.tenantId, key.contentType, window.start, window.end, failure.nextAttemptAt, scrubSecrets(failure.error), failure.at],
      ),
    );
  }

  async clearWindowFailures(key: StreamKey, start: number, end: number): Promise<void> {
    await this.#fenced(key, (c) =>
      c.query(
        'DELETE FROM o365_failed_windows WHERE tenant_id = $1 AND content_type = $2 AND window_start >= $3 AND window_end <= $4',
        [key.tenantId, key.contentType, start, end],
      ),
    );
  }

  async failedWindows(key: StreamKey): Promise<FailedWindow[]> {
    const { rows } = await this.#pool.query<FailedWindowRow>(
      'SELECT * FROM o365_failed_windows WHERE tenant_id = $1 AND content_type = $2 ORDER BY window_start',
      [key.tenantId, key.contentType],
    );
    return rows.map(toFailedWindow);
  }

  async ledgerEntries(key: StreamKey, contentIds: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const entries = new Map<string, LedgerEntry>();
    if (contentIds.length === 0) return entries;
    const { rows } = await this.#pool.query<BlobRow>(
      'SELECT * FROM o365_blobs WHERE tenant_id = $1 AND content_type = $2 AND content_id = ANY($3::text[])',
      [key.tenantId, key.contentType, [...contentIds]],
    );
    for (const row of rows) {
      entries.set(row.content_id, {
        state: row.state,
        contentCreated: row.content_created,
        ...(row.last_error === null ? {} : { lastError: row.last_error }),
      });
    }
    return entries;
  }

  async recordReconciliation(key: StreamKey, report: ReconciliationReport): Promise<void> {
    await this.#pool.query(
      `INSERT INTO o365_reconciliations (tenant_id, content_type, at, listed, missing, undelivered, unlisted_windows, examples)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, content_type) DO UPDATE SET at = excluded.at, listed = excluded.listed,
         missing = excluded.missing, undelivered = excluded.undelivered, unlisted_windows = excluded.unlisted_windows,
         examples = excluded.examples`,
      [
        key.tenantId,
        key.contentType,
        report.at,
        report.listed,
        report.missing,
        report.undelivered,
        report.unlistedWindows,
        scrubSecrets(JSON.stringify(report.examples)),
      ],
    );
  }

  async prune(now: number): Promise<PruneResult> {
    const blobs = await this.#pool.query(`DELETE FROM o365_blobs WHERE state IN ('done', 'expired') AND expiration <= $1`, [now]);
    return { blobs: blobs.rowCount ?? 0, events: await this.#seen.prune(now) };
  }

  /** Health of every stream, whichever worker collects it. */
  async streamHealth(): Promise<StreamHealth[]> {
    const { rows: streams } = await this.#pool.query<StreamRow>('SELECT * FROM o365_streams ORDER BY tenant_name, content_type');
    const { rows: counts } = await this.#pool.query<BlobCountRow>(WAITING_BLOBS_SQL('o365_blobs'));
    const { rows: windows } = await this.#pool.query<FailedWindowCountRow>(FAILED_WINDOW_COUNTS_SQL('o365_failed_windows'));
    const { rows: reconciliations } = await this.#pool.query<ReconciliationRow>('SELECT * FROM o365_reconciliations');
    return streamHealthOf(streams, counts, windows, reconciliations);
  }

  /** Releases this worker's leases (so other workers take over at once) and closes the pools. */
  async close(): Promise<void> {
    try {
      await this.leases.releaseAll();
    } finally {
      await Promise.allSettled([this.#pool.end(), this.#leasePool.end()]);
    }
  }
}
