// The embedded store's insert path before store format 2 (schema 1): every event row carried its ECS and raw JSON
// as text, five indexes, and a contentless FTS5 index over the description plus every raw value. Kept only as
// the baseline of bench/store.bench.ts (same events, same machine, same run).
import Database from 'better-sqlite3';
import type { ProcessedEvent } from '../../src/core/processed-event.ts';
import { indexedFields } from '../../src/store/indexed-fields.ts';

const DDL = `
CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL, tenant_name TEXT NOT NULL,
  content_type TEXT NOT NULL, time INTEGER NOT NULL, ingested_at INTEGER NOT NULL, user TEXT COLLATE NOCASE, source_ip TEXT,
  action TEXT COLLATE NOCASE, workload TEXT COLLATE NOCASE, outcome TEXT COLLATE NOCASE, description TEXT NOT NULL,
  ecs TEXT NOT NULL, raw TEXT NOT NULL);
CREATE INDEX events_time ON events (time, seq);
CREATE INDEX events_tenant_time ON events (tenant_id, time);
CREATE INDEX events_user_time ON events (user, time);
CREATE INDEX events_ip_time ON events (source_ip, time);
CREATE INDEX events_action_time ON events (action, time);
CREATE VIRTUAL TABLE events_fts USING fts5 (text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
`;

function collectStrings(node: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (typeof node === 'string') {
    if (node.length === 0) return;
    const piece = node.slice(0, budget.left);
    out.push(piece);
    budget.left -= piece.length + 1;
  } else if (typeof node === 'number' || typeof node === 'boolean') {
    collectStrings(String(node), out, budget);
  } else if (Array.isArray(node)) {
    for (const item of node) collectStrings(item, out, budget);
  } else if (node && typeof node === 'object') {
    for (const value of Object.values(node)) collectStrings(value, out, budget);
  }
}

function fullTextOf(description: string, raw: unknown): string {
  const out = [description];
  collectStrings(raw, out, { left: 8192 });
  return out.join(' ');
}

export interface LegacyStore {
  insertEvents(events: readonly ProcessedEvent[]): void;
  close(): void;
}

export function openLegacyStore(path: string): LegacyStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.exec(DDL);
  const insert = db.prepare(`INSERT OR IGNORE INTO events (id, tenant_id, tenant_name, content_type, time, ingested_at, user,
    source_ip, action, workload, outcome, description, ecs, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const fts = db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
  const batch = db.transaction((events: readonly ProcessedEvent[]) => {
    const now = Date.now();
    for (const e of events) {
      const f = indexedFields(e);
      const r = insert.run(
        e.id,
        e.tenantId,
        e.tenantName,
        e.contentType,
        e.time,
        now,
        f.user,
        f.sourceIp,
        f.action,
        f.workload,
        f.outcome,
        e.description,
        JSON.stringify(e.ecs),
        JSON.stringify(e.raw),
      );
      if (r.changes > 0) fts.run(r.lastInsertRowid, fullTextOf(e.description, e.raw));
    }
  });
  return { insertEvents: (events) => batch(events), close: () => db.close() };
}
