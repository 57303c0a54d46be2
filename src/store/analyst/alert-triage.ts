import type Database from 'better-sqlite3';
import { StoreQueryError } from '../errors.ts';
import type { Actor, SqliteAuditLog } from './audit-log.ts';

export const ALERT_STATUSES = ['new', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An alert's triage state; an alert nobody touched is `new`, unassigned, without comments. */
export interface AlertState {
  alertId: string;
  status: AlertStatus;
  /** Who set the status, and when (epoch ms). */
  statusBy?: string;
  statusAt?: number;
  assignee?: string;
  comments: number;
}

export interface AlertComment {
  author: string;
  at: number;
  text: string;
}

/** One triage action over one or more alerts; absent fields are left as they are. */
export interface TriageChange {
  alertIds: string[];
  status?: AlertStatus;
  /** A name, or '' to unassign. */
  assignee?: string;
  comment?: string;
}

export interface AlertTriage {
  /** The state of each id (alerts nobody triaged get the `new` default). */
  states(alertIds: readonly string[]): Promise<Map<string, AlertState>>;
  /** Applies the change to every alert in one transaction and audits each field changed. Returns the new states. */
  apply(change: TriageChange, actor: Actor, now: number): Promise<AlertState[]>;
  comments(alertId: string): Promise<AlertComment[]>;
  /** Entities remembered for alerts whose entity had to be derived from their events. */
  cachedEntities(alertIds: readonly string[]): Promise<Map<string, { kind: string; value: string }>>;
  cacheEntity(alertId: string, entity: { kind: string; value: string }): Promise<void>;
}

export const MAX_BULK = 5000;
const MAX_COMMENT = 10_000;
const MAX_NAME = 200;

export function parseStatus(value: string): AlertStatus {
  const status = ALERT_STATUSES.find((s) => s === value);
  if (!status) throw new StoreQueryError('status', `must be one of ${ALERT_STATUSES.join(', ')}`);
  return status;
}

/** Checks a change before any store applies it; returns it with each id once. */
export function validateChange(change: TriageChange): TriageChange {
  if (change.alertIds.length === 0) throw new StoreQueryError('ids', 'select at least one alert');
  if (change.alertIds.length > MAX_BULK) throw new StoreQueryError('ids', `at most ${MAX_BULK} alerts at once`);
  if (change.status !== undefined) parseStatus(change.status);
  if (change.assignee !== undefined && change.assignee.length > MAX_NAME)
    throw new StoreQueryError('assignee', `at most ${MAX_NAME} characters`);
  if (change.comment !== undefined && change.comment.length > MAX_COMMENT)
    throw new StoreQueryError('comment', `at most ${MAX_COMMENT} characters`);
  if (change.status === undefined && change.assignee === undefined && !change.comment)
    throw new StoreQueryError('change', 'give a status, an assignee or a comment');
  return { ...change, alertIds: [...new Set(change.alertIds)] };
}

export interface StateRow {
  alertId: string;
  status: AlertStatus;
  statusBy: string | null;
  statusAt: number | null;
  assignee: string | null;
  comments: number;
}

export function stateOf(alertId: string, row: StateRow | undefined): AlertState {
  if (!row) return { alertId, status: 'new', comments: 0 };
  return {
    alertId,
    status: row.status,
    ...(row.statusBy ? { statusBy: row.statusBy } : {}),
    ...(row.statusAt !== null ? { statusAt: row.statusAt } : {}),
    ...(row.assignee ? { assignee: row.assignee } : {}),
    comments: row.comments,
  };
}

export function alertTriage(db: Database.Database, audit: SqliteAuditLog): AlertTriage {
  // Ids go in as one JSON array (json_each), so a bulk action over thousands of alerts needs no variable list.
  const selectStates = db.prepare(`SELECT j.value AS alertId, s.status, s.status_by AS statusBy, s.status_at AS statusAt,
      s.assignee, (SELECT count(*) FROM analyst_alert_comments c WHERE c.alert_id = j.value) AS comments
    FROM json_each(?) j LEFT JOIN analyst_alert_state s ON s.alert_id = j.value
    WHERE s.alert_id IS NOT NULL OR EXISTS (SELECT 1 FROM analyst_alert_comments c WHERE c.alert_id = j.value)`);
  const ensure = db.prepare(`INSERT OR IGNORE INTO analyst_alert_state (alert_id, updated_at) VALUES (?, ?)`);
  const setStatus = db.prepare(`UPDATE analyst_alert_state SET status = ?, status_by = ?, status_at = ?, updated_at = ?
    WHERE alert_id = ?`);
  const setAssignee = db.prepare('UPDATE analyst_alert_state SET assignee = ?, updated_at = ? WHERE alert_id = ?');
  const addComment = db.prepare('INSERT INTO analyst_alert_comments (alert_id, author, at, text) VALUES (?, ?, ?, ?)');
  const selectComments = db.prepare(`SELECT author, at, text FROM analyst_alert_comments WHERE alert_id = ? ORDER BY seq`);
  const selectEntities = db.prepare(`SELECT e.alert_id AS alertId, e.kind, e.value FROM json_each(?) j
    JOIN analyst_alert_entity e ON e.alert_id = j.value`);
  const upsertEntity = db.prepare('INSERT OR REPLACE INTO analyst_alert_entity (alert_id, kind, value) VALUES (?, ?, ?)');

  function statesNow(alertIds: readonly string[]): Map<string, AlertState> {
    const rows = new Map((selectStates.all(JSON.stringify(alertIds)) as StateRow[]).map((r) => [r.alertId, r]));
    return new Map(alertIds.map((id) => [id, stateOf(id, rows.get(id))]));
  }

  const applyAll = db.transaction((change: TriageChange, actor: Actor, now: number) => {
    const before = statesNow(change.alertIds);
    for (const id of change.alertIds) {
      const old = before.get(id)!;
      ensure.run(id, now);
      if (change.status !== undefined && change.status !== old.status) {
        setStatus.run(change.status, actor.name, now, now, id);
        const detail = { from: old.status, to: change.status };
        audit.write({ at: now, action: 'alert.status', targetKind: 'alert', targetId: id, detail }, actor);
      }
      const assignee = change.assignee?.trim();
      if (assignee !== undefined && assignee !== (old.assignee ?? '')) {
        setAssignee.run(assignee || null, now, id);
        const detail = { from: old.assignee ?? null, to: assignee || null };
        audit.write({ at: now, action: 'alert.assign', targetKind: 'alert', targetId: id, detail }, actor);
      }
      const comment = change.comment?.trim();
      if (comment) {
        addComment.run(id, actor.name, now, comment);
        audit.write({ at: now, action: 'alert.comment', targetKind: 'alert', targetId: id, detail: { text: comment } }, actor);
      }
    }
  });

  return {
    states: async (alertIds) => statesNow(alertIds),
    async apply(change, actor, now) {
      const valid = validateChange(change);
      applyAll(valid, actor, now);
      return [...statesNow(valid.alertIds).values()];
    },
    comments: async (alertId) => selectComments.all(alertId) as AlertComment[],
    async cachedEntities(alertIds) {
      const rows = selectEntities.all(JSON.stringify(alertIds)) as { alertId: string; kind: string; value: string }[];
      return new Map(rows.map((r) => [r.alertId, { kind: r.kind, value: r.value }]));
    },
    async cacheEntity(alertId, entity) {
      upsertEntity.run(alertId, entity.kind, entity.value);
    },
  };
}
