// The dedup + commit hot path of the state store as it was at SQLite schema 1 (text ids `${tenant}:${Id}` as primary
// key, a second index on expires_at, expiry row by row), kept as the baseline of bench/state.bench.ts. Its statements
// are those of the schema-1 SqliteStateStore; the ledger (blobs) table and its queries are unchanged since.
import Database from 'better-sqlite3';
import type { BatchCommit, ListedBlob, QueuedBlob, StreamKey } from '../../src/state/state-store.ts';

const SCHEMA_SQL = `
CREATE TABLE blobs (
  tenant_id TEXT NOT NULL, content_type TEXT NOT NULL, content_id TEXT NOT NULL, content_uri TEXT NOT NULL,
  content_created INTEGER NOT NULL, expiration INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, delivered INTEGER NOT NULL DEFAULT 0,
  last_error TEXT, PRIMARY KEY (tenant_id, content_type, content_id)
) WITHOUT ROWID;
CREATE INDEX blobs_due ON blobs (tenant_id, content_type, state, next_attempt_at);
CREATE INDEX blobs_expiration ON blobs (expiration);
CREATE TABLE seen_events (id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX seen_events_expiry ON seen_events (expires_at);
CREATE TABLE sink_positions (sink TEXT PRIMARY KEY, position TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE streams (
  tenant_id TEXT NOT NULL, content_type TEXT NOT NULL, events_total INTEGER NOT NULL DEFAULT 0,
  newest_content_at INTEGER, PRIMARY KEY (tenant_id, content_type)
) WITHOUT ROWID;
`;

const LOOKUP_CHUNK = 500;

interface BlobRow {
  tenant_id: string;
  content_type: string;
  content_id: string;
  content_uri: string;
  content_created: number;
  expiration: number;
  state: QueuedBlob['state'];
  attempts: number;
  next_attempt_at: number;
  delivered: number;
}

export class Schema1State {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA_SQL);
  }

  async enqueueBlobs(key: StreamKey, blobs: readonly ListedBlob[], now: number): Promise<ListedBlob[]> {
    const insert = this.#db.prepare(
      `INSERT OR IGNORE INTO blobs (tenant_id, content_type, content_id, content_uri, content_created, expiration, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const added: ListedBlob[] = [];
    this.#db.transaction(() => {
      for (const b of blobs) {
        if (insert.run(key.tenantId, key.contentType, b.contentId, b.contentUri, b.contentCreated, b.expiration, now).changes)
          added.push(b);
      }
    })();
    return added;
  }

  async dueBlobs(key: StreamKey, now: number, limit: number): Promise<QueuedBlob[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM blobs WHERE tenant_id = ? AND content_type = ? AND state IN ('pending', 'quarantined') AND next_attempt_at <= ?
         ORDER BY state = 'quarantined', content_created, content_id LIMIT ?`,
      )
      .all(key.tenantId, key.contentType, now, limit) as BlobRow[];
    return rows.map((r) => ({
      tenantId: r.tenant_id,
      contentType: r.content_type,
      contentId: r.content_id,
      contentUri: r.content_uri,
      contentCreated: r.content_created,
      expiration: r.expiration,
      state: r.state,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      delivered: r.delivered,
    }));
  }

  async filterSeen(eventIds: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < eventIds.length; i += LOOKUP_CHUNK) {
      const chunk = eventIds.slice(i, i + LOOKUP_CHUNK);
      const rows = this.#db
        .prepare(`SELECT id FROM seen_events WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .all(...chunk) as { id: string }[];
      for (const row of rows) seen.add(row.id);
    }
    return seen;
  }

  async commitBatches(commits: readonly BatchCommit[]): Promise<void> {
    const insertSeen = this.#db.prepare(
      'INSERT INTO seen_events (id, expires_at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at',
    );
    const savePosition = this.#db.prepare(
      'INSERT INTO sink_positions (sink, position) VALUES (?, ?) ON CONFLICT (sink) DO UPDATE SET position = excluded.position',
    );
    this.#db.transaction(() => {
      for (const commit of commits) this.#commitOne(commit, insertSeen, savePosition);
    })();
  }

  #commitOne(commit: BatchCommit, insertSeen: Database.Statement, savePosition: Database.Statement): void {
    const { key } = commit;
    this.#db
      .prepare(
        `UPDATE blobs SET delivered = ?, state = CASE WHEN ? THEN 'done' ELSE state END, last_error = CASE WHEN ? THEN NULL ELSE last_error END
         WHERE tenant_id = ? AND content_type = ? AND content_id = ?`,
      )
      .run(commit.delivered, commit.done ? 1 : 0, commit.done ? 1 : 0, key.tenantId, key.contentType, commit.contentId);
    for (const id of commit.eventIds) insertSeen.run(id, commit.seenUntil);
    for (const [sink, position] of Object.entries(commit.positions)) savePosition.run(sink, position);
    this.#db.prepare('INSERT OR IGNORE INTO streams (tenant_id, content_type) VALUES (?, ?)').run(key.tenantId, key.contentType);
    this.#db
      .prepare(
        `UPDATE streams SET events_total = events_total + ?, newest_content_at = MAX(COALESCE(newest_content_at, 0), ?)
         WHERE tenant_id = ? AND content_type = ?`,
      )
      .run(commit.eventsDelivered, commit.contentCreated, key.tenantId, key.contentType);
  }

  async prune(now: number): Promise<void> {
    this.#db.prepare(`DELETE FROM blobs WHERE state IN ('done', 'expired') AND expiration <= ?`).run(now);
    this.#db.prepare('DELETE FROM seen_events WHERE expires_at <= ?').run(now);
  }

  async close(): Promise<void> {
    this.#db.close();
  }
}
