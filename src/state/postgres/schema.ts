import type pg from 'pg';

/**
 * Bumped when the schema changes; stored in o365_schema. Version 2 keeps seen ids in `o365_seen_ids`, partitioned by
 * day (partitions created by PgSeenIds); a version-1 database's `o365_seen_events` is read until it empties.
 * Version 3 writes correlation groups in `o365_detection_state` in a short form (src/detect/group-state.ts) that a
 * version-2 build cannot read; this build reads both.
 */
export const PG_SCHEMA_VERSION = 3;

/** Arbitrary constant for pg_advisory_xact_lock, so concurrent workers migrate one at a time. */
const MIGRATION_LOCK = 0x0365_1a7e;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS o365_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS o365_streams (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  tenant_name TEXT NOT NULL DEFAULT '',
  listed_through BIGINT,
  subscription_enabled BOOLEAN NOT NULL DEFAULT FALSE,
  last_start_attempt_at BIGINT,
  last_poll_at BIGINT,
  last_success_at BIGINT,
  newest_content_at BIGINT,
  events_total BIGINT NOT NULL DEFAULT 0,
  expired_total BIGINT NOT NULL DEFAULT 0,
  last_error_code TEXT,
  last_error_message TEXT,
  last_error_at BIGINT,
  lease_owner TEXT,
  lease_until TIMESTAMPTZ,
  lease_version BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, content_type)
);
CREATE TABLE IF NOT EXISTS o365_blobs (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content_id TEXT NOT NULL,
  content_uri TEXT NOT NULL,
  content_created BIGINT NOT NULL,
  expiration BIGINT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (tenant_id, content_type, content_id)
);
DROP INDEX IF EXISTS o365_blobs_due;
CREATE INDEX IF NOT EXISTS o365_blobs_waiting ON o365_blobs (tenant_id, content_type, state, content_created, content_id)
  WHERE state IN ('pending', 'quarantined');
CREATE INDEX IF NOT EXISTS o365_blobs_expiration ON o365_blobs (expiration);
CREATE TABLE IF NOT EXISTS o365_dedup_tenants (tenant_no SERIAL PRIMARY KEY, tenant_id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS o365_seen_ids (day INTEGER NOT NULL, tenant_no INTEGER NOT NULL, id UUID NOT NULL)
  PARTITION BY LIST (day);
CREATE TABLE IF NOT EXISTS o365_failed_windows (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  next_attempt_at BIGINT NOT NULL,
  last_error TEXT NOT NULL,
  first_failed_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, content_type, window_start)
);
CREATE TABLE IF NOT EXISTS o365_stream_origins (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  listed_from BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
);
CREATE TABLE IF NOT EXISTS o365_reconciliations (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  at BIGINT NOT NULL,
  listed INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  undelivered INTEGER NOT NULL,
  unlisted_windows INTEGER NOT NULL,
  examples TEXT NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
);
CREATE TABLE IF NOT EXISTS o365_sink_positions (
  node_id TEXT NOT NULL,
  sink TEXT NOT NULL,
  position TEXT NOT NULL,
  PRIMARY KEY (node_id, sink)
);
CREATE TABLE IF NOT EXISTS o365_workers (worker_id TEXT PRIMARY KEY, node_id TEXT NOT NULL, seen_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS o365_detection_state (key TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS o365_detection_state_tenant ON o365_detection_state (tenant_id);
`;

/** Creates the tables if missing; refuses a database written by a newer version. */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(SCHEMA_SQL);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM o365_schema');
    const current = rows[0]?.version;
    if (current !== undefined && current > PG_SCHEMA_VERSION) {
      throw new Error(`the database was written by a newer version (schema ${current}, this build knows ${PG_SCHEMA_VERSION})`);
    }
    if (current === undefined) await client.query('INSERT INTO o365_schema (version) VALUES ($1)', [PG_SCHEMA_VERSION]);
    else if (current < PG_SCHEMA_VERSION) await client.query('UPDATE o365_schema SET version = $1', [PG_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
