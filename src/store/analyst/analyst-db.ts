import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';

/**
 * Tables written by analysts (alert triage, saved searches, the audit log), kept in the event store's SQLite file
 * through a connection of their own: they never share a schema version or a transaction with the events.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS analyst_alert_state (
  alert_id TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'new',
  status_by TEXT,
  status_at INTEGER,
  assignee TEXT,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS analyst_alert_state_status ON analyst_alert_state (status);
CREATE TABLE IF NOT EXISTS analyst_alert_comments (
  seq INTEGER PRIMARY KEY,
  alert_id TEXT NOT NULL,
  author TEXT NOT NULL,
  at INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analyst_alert_comments_alert ON analyst_alert_comments (alert_id, seq);
CREATE TABLE IF NOT EXISTS analyst_alert_entity (
  alert_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS analyst_saved_searches (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  query TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS analyst_audit (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  ip TEXT,
  action TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analyst_audit_target ON analyst_audit (target_kind, target_id, seq);
`;

export function openAnalystDb(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(DDL);
    return db;
  } catch (err) {
    throw new StoreError(`cannot open the analyst tables in ${path}: ${(err as Error).message}`, { cause: err });
  }
}
