import type Database from 'better-sqlite3';

/** Who did something: the name an analyst signed in with (or `api` for bearer-token clients) and their address. */
export interface Actor {
  name: string;
  ip?: string;
}

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  ip: string | null;
  /** e.g. `alert.status`, `alert.assign`, `alert.comment`, `search.save`, `search.delete`. */
  action: string;
  targetKind: 'alert' | 'saved-search';
  targetId: string;
  detail: Record<string, unknown>;
}

export interface AuditQuery {
  targetKind?: AuditEntry['targetKind'];
  targetId?: string;
  /** 1–1000, default 200. */
  limit?: number;
}

export type AuditWrite = Omit<AuditEntry, 'seq' | 'actor' | 'ip'>;

export interface AuditLog {
  /** Newest first. */
  read(query?: AuditQuery): Promise<AuditEntry[]>;
}

export function auditLimit(query: AuditQuery): number {
  return Math.min(Math.max(query.limit ?? 200, 1), 1000);
}

/** The SQLite audit log, and the writer the other analyst tables call inside their own transactions. */
export interface SqliteAuditLog extends AuditLog {
  write(entry: AuditWrite, actor: Actor): void;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  ip: string | null;
  action: string;
  targetKind: AuditEntry['targetKind'];
  targetId: string;
  detail: string;
}

/** Append-only: nothing in the product updates or deletes an audit row. */
export function auditLog(db: Database.Database): SqliteAuditLog {
  const insert = db.prepare(`INSERT INTO analyst_audit (at, actor, ip, action, target_kind, target_id, detail)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const columns = 'seq, at, actor, ip, action, target_kind AS targetKind, target_id AS targetId, detail';
  return {
    write(entry, actor) {
      insert.run(
        entry.at,
        actor.name,
        actor.ip ?? null,
        entry.action,
        entry.targetKind,
        entry.targetId,
        JSON.stringify(entry.detail),
      );
    },
    async read(query = {}) {
      const limit = auditLimit(query);
      const clauses: string[] = [];
      const params: unknown[] = [];
      if (query.targetKind) {
        clauses.push('target_kind = ?');
        params.push(query.targetKind);
      }
      if (query.targetId) {
        clauses.push('target_id = ?');
        params.push(query.targetId);
      }
      const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
      const rows = db
        .prepare(`SELECT ${columns} FROM analyst_audit ${where} ORDER BY seq DESC LIMIT ?`)
        .all(...params, limit) as AuditRow[];
      return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
    },
  };
}
