import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Checkpoint, CheckpointStore, PartitionOwnership } from '@azure/event-hubs';
import type { SinkPositions } from '../../core/delivery.ts';
import { CheckpointStoreError } from './errors.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS eh_ownership (
  namespace TEXT NOT NULL, event_hub TEXT NOT NULL, consumer_group TEXT NOT NULL, partition_id TEXT NOT NULL,
  owner_id TEXT NOT NULL, last_modified INTEGER NOT NULL, etag TEXT NOT NULL,
  PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eh_checkpoints (
  namespace TEXT NOT NULL, event_hub TEXT NOT NULL, consumer_group TEXT NOT NULL, partition_id TEXT NOT NULL,
  sequence_number INTEGER NOT NULL, offset TEXT NOT NULL,
  PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS eh_seen_events (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS eh_seen_events_expiry ON eh_seen_events (expires_at);
CREATE TABLE IF NOT EXISTS eh_sink_positions (sink TEXT PRIMARY KEY, position TEXT NOT NULL) WITHOUT ROWID;
`;

/** A delivered batch: what is committed in one transaction once every sink acknowledged it. */
export interface DeliveredBatch {
  /** Written with the rest when this store also holds the checkpoints (omitted when they live in Azure Blob). */
  checkpoint?: Checkpoint;
  /** `${tenantId}:${Id}` of the delivered records, remembered until `seenUntil` (epoch ms) to drop re-deliveries. */
  eventIds: readonly string[];
  seenUntil: number;
  positions: SinkPositions;
}

/** Dedup ledger and sink positions of the Event Hub source. */
export interface EventHubLedger {
  filterSeen(eventIds: readonly string[]): Promise<Set<string>>;
  commitDelivered(batch: DeliveredBatch): Promise<void>;
  sinkPositions(): Promise<SinkPositions>;
  /** Forgets ids past their expiry; returns how many. */
  prune(now: number): Promise<number>;
}

interface OwnershipRow {
  namespace: string;
  event_hub: string;
  consumer_group: string;
  partition_id: string;
  owner_id: string;
  last_modified: number;
  etag: string;
}

interface CheckpointRow {
  namespace: string;
  event_hub: string;
  consumer_group: string;
  partition_id: string;
  sequence_number: number;
  offset: string;
}

const SEEN_CHUNK = 500;

/**
 * An `@azure/event-hubs` CheckpointStore in a SQLite file of its own (WAL), plus the source's dedup ledger.
 * Ownership claims are compare-and-swap on an etag, so several consumers in processes sharing the file
 * balance partitions safely. Several hubs can share one file (rows are keyed by namespace/hub/consumer group).
 */
export class SqliteCheckpointStore implements CheckpointStore, EventHubLedger {
  readonly #db: Database.Database;

  constructor(path: string) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path);
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(SCHEMA);
    } catch (err) {
      throw new CheckpointStoreError(`cannot open checkpoint database ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async listOwnership(namespace: string, eventHubName: string, consumerGroup: string): Promise<PartitionOwnership[]> {
    const rows = this.#db
      .prepare('SELECT * FROM eh_ownership WHERE namespace = ? AND event_hub = ? AND consumer_group = ?')
      .all(namespace, eventHubName, consumerGroup) as OwnershipRow[];
    return rows.map((row) => ({
      fullyQualifiedNamespace: row.namespace,
      eventHubName: row.event_hub,
      consumerGroup: row.consumer_group,
      partitionId: row.partition_id,
      ownerId: row.owner_id,
      lastModifiedTimeInMs: row.last_modified,
      etag: row.etag,
    }));
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    const current = this.#db.prepare(
      'SELECT etag FROM eh_ownership WHERE namespace = ? AND event_hub = ? AND consumer_group = ? AND partition_id = ?',
    );
    const insert = this.#db.prepare(
      `INSERT INTO eh_ownership (namespace, event_hub, consumer_group, partition_id, owner_id, last_modified, etag)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    const update = this.#db.prepare(
      `UPDATE eh_ownership SET owner_id = ?, last_modified = ?, etag = ?
       WHERE namespace = ? AND event_hub = ? AND consumer_group = ? AND partition_id = ? AND etag = ?`,
    );
    const claimAll = this.#db.transaction((list: PartitionOwnership[]) => {
      const claimed: PartitionOwnership[] = [];
      for (const claim of list) {
        const key = [claim.fullyQualifiedNamespace, claim.eventHubName, claim.consumerGroup, claim.partitionId] as const;
        const etag = randomUUID();
        const now = Date.now();
        const existing = current.get(...key) as { etag: string } | undefined;
        const changes = existing
          ? claim.etag === existing.etag
            ? update.run(claim.ownerId, now, etag, ...key, claim.etag).changes
            : 0
          : insert.run(...key, claim.ownerId, now, etag).changes;
        if (changes === 1) claimed.push({ ...claim, etag, lastModifiedTimeInMs: now });
      }
      return claimed;
    });
    return claimAll(claims);
  }

  async listCheckpoints(namespace: string, eventHubName: string, consumerGroup: string): Promise<Checkpoint[]> {
    const rows = this.#db
      .prepare('SELECT * FROM eh_checkpoints WHERE namespace = ? AND event_hub = ? AND consumer_group = ?')
      .all(namespace, eventHubName, consumerGroup) as CheckpointRow[];
    return rows.map((row) => ({
      fullyQualifiedNamespace: row.namespace,
      eventHubName: row.event_hub,
      consumerGroup: row.consumer_group,
      partitionId: row.partition_id,
      sequenceNumber: row.sequence_number,
      offset: row.offset,
    }));
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    this.#writeCheckpoint(checkpoint);
  }

  #writeCheckpoint(checkpoint: Checkpoint): void {
    if (checkpoint.offset === undefined || checkpoint.sequenceNumber === undefined) {
      throw new CheckpointStoreError(`checkpoint of partition ${checkpoint.partitionId} has no offset or sequence number`);
    }
    this.#db
      .prepare(
        `INSERT INTO eh_checkpoints (namespace, event_hub, consumer_group, partition_id, sequence_number, offset)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO UPDATE SET sequence_number = excluded.sequence_number, offset = excluded.offset`,
      )
      .run(
        checkpoint.fullyQualifiedNamespace,
        checkpoint.eventHubName,
        checkpoint.consumerGroup,
        checkpoint.partitionId,
        checkpoint.sequenceNumber,
        String(checkpoint.offset),
      );
  }

  async filterSeen(eventIds: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const now = Date.now();
    for (let i = 0; i < eventIds.length; i += SEEN_CHUNK) {
      const chunk = eventIds.slice(i, i + SEEN_CHUNK);
      const rows = this.#db
        .prepare(`SELECT id FROM eh_seen_events WHERE expires_at > ? AND id IN (${chunk.map(() => '?').join(',')})`)
        .all(now, ...chunk) as { id: string }[];
      for (const row of rows) seen.add(row.id);
    }
    return seen;
  }

  async commitDelivered(batch: DeliveredBatch): Promise<void> {
    const remember = this.#db.prepare(
      'INSERT INTO eh_seen_events (id, expires_at) VALUES (?, ?) ON CONFLICT DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)',
    );
    const position = this.#db.prepare(
      'INSERT INTO eh_sink_positions (sink, position) VALUES (?, ?) ON CONFLICT DO UPDATE SET position = excluded.position',
    );
    this.#db.transaction(() => {
      for (const id of batch.eventIds) remember.run(id, batch.seenUntil);
      for (const [sink, value] of Object.entries(batch.positions)) position.run(sink, value);
      if (batch.checkpoint) this.#writeCheckpoint(batch.checkpoint);
    })();
  }

  async sinkPositions(): Promise<SinkPositions> {
    const rows = this.#db.prepare('SELECT sink, position FROM eh_sink_positions').all() as { sink: string; position: string }[];
    return Object.fromEntries(rows.map((row) => [row.sink, row.position]));
  }

  async prune(now: number): Promise<number> {
    return this.#db.prepare('DELETE FROM eh_seen_events WHERE expires_at <= ?').run(now).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
