import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Checkpoint, CheckpointStore, PartitionOwnership } from '@azure/event-hubs';
import { CheckpointStoreError } from './errors.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS eh_ownership (
  namespace TEXT NOT NULL, event_hub TEXT NOT NULL, consumer_group TEXT NOT NULL, partition_id TEXT NOT NULL,
  owner_id TEXT NOT NULL, last_modified BIGINT NOT NULL, etag TEXT NOT NULL,
  PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
);
CREATE TABLE IF NOT EXISTS eh_checkpoints (
  namespace TEXT NOT NULL, event_hub TEXT NOT NULL, consumer_group TEXT NOT NULL, partition_id TEXT NOT NULL,
  sequence_number BIGINT NOT NULL, "offset" TEXT NOT NULL,
  PRIMARY KEY (namespace, event_hub, consumer_group, partition_id)
);
`;

/** Arbitrary constant for pg_advisory_xact_lock, so concurrent collectors create the tables one at a time. */
const MIGRATION_LOCK = 0x0e4b_c4e0;

interface OwnershipRow {
  namespace: string;
  event_hub: string;
  consumer_group: string;
  partition_id: string;
  owner_id: string;
  last_modified: string;
  etag: string;
}

const toOwnership = (row: OwnershipRow): PartitionOwnership => ({
  fullyQualifiedNamespace: row.namespace,
  eventHubName: row.event_hub,
  consumerGroup: row.consumer_group,
  partitionId: row.partition_id,
  ownerId: row.owner_id,
  lastModifiedTimeInMs: Number(row.last_modified),
  etag: row.etag,
});

/**
 * An `@azure/event-hubs` CheckpointStore in PostgreSQL (the scale-out state database), so collectors on several
 * machines share an Event Hub's partitions without Azure Storage. Claims are compare-and-swap on an etag.
 */
export class PostgresCheckpointStore implements CheckpointStore {
  readonly #pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  static async open(url: string): Promise<PostgresCheckpointStore> {
    const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
    pool.on('error', () => undefined); // idle-client errors surface on the next query
    const client = await pool.connect().catch(async (err: unknown) => {
      await pool.end().catch(() => undefined);
      throw new CheckpointStoreError(`cannot connect to the PostgreSQL checkpoint store: ${(err as Error).message}`, {
        cause: err,
      });
    });
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(SCHEMA);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      await pool.end().catch(() => undefined);
      throw new CheckpointStoreError(`cannot create the Event Hub checkpoint tables: ${(err as Error).message}`, { cause: err });
    }
    client.release();
    return new PostgresCheckpointStore(pool);
  }

  async listOwnership(namespace: string, eventHubName: string, consumerGroup: string): Promise<PartitionOwnership[]> {
    const { rows } = await this.#pool.query<OwnershipRow>(
      'SELECT * FROM eh_ownership WHERE namespace = $1 AND event_hub = $2 AND consumer_group = $3',
      [namespace, eventHubName, consumerGroup],
    );
    return rows.map(toOwnership);
  }

  async claimOwnership(claims: PartitionOwnership[]): Promise<PartitionOwnership[]> {
    const claimed: PartitionOwnership[] = [];
    for (const claim of claims) {
      const key = [claim.fullyQualifiedNamespace, claim.eventHubName, claim.consumerGroup, claim.partitionId];
      const etag = randomUUID();
      const { rows } = claim.etag
        ? await this.#pool.query<OwnershipRow>(
            `UPDATE eh_ownership SET owner_id = $5, last_modified = $6, etag = $7
             WHERE namespace = $1 AND event_hub = $2 AND consumer_group = $3 AND partition_id = $4 AND etag = $8 RETURNING *`,
            [...key, claim.ownerId, Date.now(), etag, claim.etag],
          )
        : await this.#pool.query<OwnershipRow>(
            `INSERT INTO eh_ownership (namespace, event_hub, consumer_group, partition_id, owner_id, last_modified, etag)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
            [...key, claim.ownerId, Date.now(), etag],
          );
      if (rows[0]) claimed.push(toOwnership(rows[0]));
    }
    return claimed;
  }

  async listCheckpoints(namespace: string, eventHubName: string, consumerGroup: string): Promise<Checkpoint[]> {
    const { rows } = await this.#pool.query<{ partition_id: string; sequence_number: string; offset: string }>(
      'SELECT partition_id, sequence_number, "offset" FROM eh_checkpoints WHERE namespace = $1 AND event_hub = $2 AND consumer_group = $3',
      [namespace, eventHubName, consumerGroup],
    );
    return rows.map((row) => ({
      fullyQualifiedNamespace: namespace,
      eventHubName,
      consumerGroup,
      partitionId: row.partition_id,
      sequenceNumber: Number(row.sequence_number),
      offset: row.offset,
    }));
  }

  async updateCheckpoint(checkpoint: Checkpoint): Promise<void> {
    if (checkpoint.offset === undefined || checkpoint.sequenceNumber === undefined) {
      throw new CheckpointStoreError(`checkpoint of partition ${checkpoint.partitionId} has no offset or sequence number`);
    }
    await this.#pool.query(
      `INSERT INTO eh_checkpoints (namespace, event_hub, consumer_group, partition_id, sequence_number, "offset")
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (namespace, event_hub, consumer_group, partition_id)
       DO UPDATE SET sequence_number = excluded.sequence_number, "offset" = excluded."offset"`,
      [
        checkpoint.fullyQualifiedNamespace,
        checkpoint.eventHubName,
        checkpoint.consumerGroup,
        checkpoint.partitionId,
        checkpoint.sequenceNumber,
        String(checkpoint.offset),
      ],
    );
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
