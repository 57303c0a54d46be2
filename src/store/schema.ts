import type { Database } from 'better-sqlite3';

/**
 * Version 6: no random-key text index on the insert path: ids are found by an integer key (`id_key`, event-id-key.ts;
 * duplicates are dropped by looking the batch's keys up), the user and source IP columns have no index of their own
 * (their values are in the full-text index, which narrows their filters). Version 5 was a branch never released.
 * Version 4: full text of chosen fields only, LZ4 blocks with ECS and raw apart, per-minute counts. Version 3: seq is
 * AUTOINCREMENT (the live-tail cursor never goes back). Version 2: events keep their searched fields as columns; ECS +
 * raw live compressed in blocks (event-blocks.ts).
 */
export const SCHEMA_VERSION = 6;

/**
 * `events`: one row per event with only what is filtered, sorted or listed (no JSON); `id` is unique (the insert
 * drops an id already stored) and found by `id_key`; `block`/`slot` locate the
 * ECS document and raw record in `event_blocks` (one LZ4-compressed block per insert batch of up to 256, `live` = rows still
 * pointing at it). `events_fts` is a contentless FTS5 index (rowid = events.seq) of the searchable text only.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  id_key INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  tenant_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  time INTEGER NOT NULL,
  ingested_at INTEGER NOT NULL,
  user TEXT COLLATE NOCASE,
  source_ip TEXT COLLATE NOCASE,
  action TEXT COLLATE NOCASE,
  workload TEXT COLLATE NOCASE,
  outcome TEXT COLLATE NOCASE,
  category TEXT COLLATE NOCASE,
  country TEXT COLLATE NOCASE,
  description TEXT NOT NULL,
  block INTEGER NOT NULL,
  slot INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events (time, outcome);
CREATE INDEX IF NOT EXISTS events_tenant_time ON events (tenant_id, time);
CREATE INDEX IF NOT EXISTS events_id_key ON events (id_key);
CREATE INDEX IF NOT EXISTS events_action_time ON events (action, time);
CREATE INDEX IF NOT EXISTS events_outcome_time ON events (outcome, time);
CREATE TABLE IF NOT EXISTS event_blocks (
  id INTEGER PRIMARY KEY,
  live INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5 (text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
-- Events and failures per minute (time / 60000, truncated) and tenant: the histogram of a large range reads these.
CREATE TABLE IF NOT EXISTS event_minutes (
  minute INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  events INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  PRIMARY KEY (minute, tenant_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS events_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
  UPDATE event_blocks SET live = live - 1 WHERE id = old.block;
  UPDATE event_minutes SET events = events - 1, failures = failures - (old.outcome = 'failure')
    WHERE minute = old.time / 60000 AND tenant_id = old.tenant_id;
END;

CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL COLLATE NOCASE,
  level TEXT NOT NULL,
  level_rank INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  tenant_name TEXT,
  time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_time ON alerts (time);
CREATE INDEX IF NOT EXISTS alerts_tenant_time ON alerts (tenant_id, time);
CREATE TABLE IF NOT EXISTS alert_events (
  alert_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (alert_id, event_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alert_events_event ON alert_events (event_id);
CREATE TRIGGER IF NOT EXISTS alerts_links_delete AFTER DELETE ON alerts BEGIN
  DELETE FROM alert_events WHERE alert_id = old.id;
END;

-- Per tenant × content type: totals and per-minute insert counts (for events/min on the health page).
CREATE TABLE IF NOT EXISTS stream_totals (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  tenant_name TEXT NOT NULL,
  events_total INTEGER NOT NULL,
  newest_event_at INTEGER NOT NULL,
  last_insert_at INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stream_minutes (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  minute INTEGER NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, content_type, minute)
) WITHOUT ROWID;
`;

/** What opening found: a fresh or current file, or an older format that must be set aside. */
export type SchemaState = 'current' | 'older' | 'newer';

export function schemaState(db: Database): SchemaState {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) return 'newer';
  if (version === SCHEMA_VERSION) return 'current';
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number };
  return tables.n === 0 ? 'current' : 'older';
}

/** Creates the schema on a fresh file (call only when schemaState() is 'current'). */
export function createSchema(db: Database): void {
  db.exec(DDL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
