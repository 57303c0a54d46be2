/**
 * Schema of the embedded SQLite state file. `user_version` tracks it. Version 2 keeps seen ids in day tables
 * (`seen_ids_<day>`, created on demand by SqliteSeenIds); a version-1 file's `seen_events` is read until it empties.
 * Version 3 adds `seen_recent`, which a version-2 build would not read (it would deliver those ids again), so it refuses.
 * Version 4 writes correlation groups in `detection_state` in a short form (src/detect/group-state.ts) that a version-3
 * build cannot read; this build reads both.
 */
export const SCHEMA_VERSION = 4;

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS streams (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  tenant_name TEXT NOT NULL DEFAULT '',
  listed_through INTEGER,
  subscription_enabled INTEGER NOT NULL DEFAULT 0,
  last_start_attempt_at INTEGER,
  last_poll_at INTEGER,
  last_success_at INTEGER,
  newest_content_at INTEGER,
  events_total INTEGER NOT NULL DEFAULT 0,
  expired_total INTEGER NOT NULL DEFAULT 0,
  last_error_code TEXT,
  last_error_message TEXT,
  last_error_at INTEGER,
  PRIMARY KEY (tenant_id, content_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS blobs (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content_id TEXT NOT NULL,
  content_uri TEXT NOT NULL,
  content_created INTEGER NOT NULL,
  expiration INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (tenant_id, content_type, content_id)
) WITHOUT ROWID;
-- The queue: waiting blobs only (done ones stay in the ledger until they expire), in the order dueBlobs takes them
-- ('pending' sorts before 'quarantined'), so taking the next blobs walks the index instead of sorting the backlog.
DROP INDEX IF EXISTS blobs_due;
CREATE INDEX IF NOT EXISTS blobs_waiting ON blobs (tenant_id, content_type, state, content_created, content_id)
  WHERE state IN ('pending', 'quarantined');
CREATE INDEX IF NOT EXISTS blobs_expiration ON blobs (expiration);

CREATE TABLE IF NOT EXISTS dedup_tenants (
  tenant_no INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL UNIQUE
);

-- Ids of recent commits, appended in commit order, merged into seen_recent in sorted bulk (SqliteSeenIds).
CREATE TABLE IF NOT EXISTS seen_stage (
  day INTEGER NOT NULL,
  tenant_no INTEGER NOT NULL,
  id BLOB NOT NULL
);
-- Merged stages, keyed like the day tables, merged into them in sorted bulk once an eighth of their size (SqliteSeenIds).
CREATE TABLE IF NOT EXISTS seen_recent (
  tenant_no INTEGER NOT NULL,
  id BLOB NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (tenant_no, id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS seen_buckets (
  day INTEGER PRIMARY KEY,
  ids INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS failed_windows (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 1,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  first_failed_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, content_type, window_start)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS stream_origins (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  listed_from INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS reconciliations (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  at INTEGER NOT NULL,
  listed INTEGER NOT NULL,
  missing INTEGER NOT NULL,
  undelivered INTEGER NOT NULL,
  unlisted_windows INTEGER NOT NULL,
  examples TEXT NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS sink_positions (
  sink TEXT PRIMARY KEY,
  position TEXT NOT NULL
) WITHOUT ROWID;

-- Detection state (open correlation groups, alert groups, tenant watermarks), committed with each batch.
CREATE TABLE IF NOT EXISTS detection_state (
  key TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS detection_state_tenant ON detection_state (tenant_id);
`;
