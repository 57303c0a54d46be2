import pg from 'pg';
import { redactUrl } from '../../state/postgres/postgres-state-store.ts';
import { inTransaction } from '../../state/postgres/transaction.ts';
import { StoreError } from '../errors.ts';
import { type AlertComment, type AlertState, type AlertTriage, type StateRow, stateOf, validateChange } from './alert-triage.ts';
import type { AnalystStore } from './analyst-store.ts';
import { type Actor, type AuditEntry, type AuditLog, type AuditWrite, auditLimit } from './audit-log.ts';
import { type SavedSearch, type SavedSearches, validSearch } from './saved-searches.ts';

/** pg_advisory_xact_lock key: workers starting together create the tables one at a time. */
const MIGRATION_LOCK = 0x0365_a7a1;

/** The analyst tables when scaled out: every worker's web page reads and writes the same triage and saved searches. */
const DDL = `
CREATE TABLE IF NOT EXISTS analyst_alert_state (
  alert_id TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'new',
  status_by TEXT,
  status_at BIGINT,
  assignee TEXT,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS analyst_alert_comments (
  seq BIGSERIAL PRIMARY KEY,
  alert_id TEXT NOT NULL,
  author TEXT NOT NULL,
  at BIGINT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS analyst_alert_comments_alert ON analyst_alert_comments (alert_id, seq);
CREATE TABLE IF NOT EXISTS analyst_alert_entity (
  alert_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS analyst_saved_searches (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  query TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS analyst_saved_searches_name ON analyst_saved_searches (lower(name));
CREATE TABLE IF NOT EXISTS analyst_audit (
  seq BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  ip TEXT,
  action TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  detail JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS analyst_audit_target ON analyst_audit (target_kind, target_id, seq);
`;

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

type Queryable = pg.Pool | pg.PoolClient;

async function writeAudit(db: Queryable, entry: AuditWrite, actor: Actor): Promise<void> {
  await db.query(
    `INSERT INTO analyst_audit (at, actor, ip, action, target_kind, target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [entry.at, actor.name, actor.ip ?? null, entry.action, entry.targetKind, entry.targetId, JSON.stringify(entry.detail)],
  );
}

async function statesOf(db: Queryable, alertIds: readonly string[]): Promise<Map<string, AlertState>> {
  const { rows } = await db.query<StateRow>(
    `SELECT s.alert_id AS "alertId", s.status, s.status_by AS "statusBy", s.status_at AS "statusAt", s.assignee,
       (SELECT count(*)::int FROM analyst_alert_comments c WHERE c.alert_id = s.alert_id) AS comments
     FROM analyst_alert_state s WHERE s.alert_id = ANY($1)`,
    [alertIds],
  );
  const byId = new Map(rows.map((r) => [r.alertId, r]));
  return new Map(alertIds.map((id) => [id, stateOf(id, byId.get(id))]));
}

function triage(pool: pg.Pool): AlertTriage {
  return {
    states: (alertIds) => statesOf(pool, alertIds),
    async apply(change, actor, now) {
      const valid = validateChange(change);
      await inTransaction(pool, async (client) => {
        for (const id of valid.alertIds) {
          // The row is locked while this change reads and updates it: two analysts never interleave on one alert.
          await client.query(`INSERT INTO analyst_alert_state (alert_id, updated_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            id,
            now,
          ]);
          const { rows } = await client.query<{ status: string; assignee: string | null }>(
            'SELECT status, assignee FROM analyst_alert_state WHERE alert_id = $1 FOR UPDATE',
            [id],
          );
          const old = rows[0]!;
          if (valid.status !== undefined && valid.status !== old.status) {
            await client.query(
              'UPDATE analyst_alert_state SET status = $1, status_by = $2, status_at = $3, updated_at = $3 WHERE alert_id = $4',
              [valid.status, actor.name, now, id],
            );
            const detail = { from: old.status, to: valid.status };
            await writeAudit(client, { at: now, action: 'alert.status', targetKind: 'alert', targetId: id, detail }, actor);
          }
          const assignee = valid.assignee?.trim();
          if (assignee !== undefined && assignee !== (old.assignee ?? '')) {
            await client.query('UPDATE analyst_alert_state SET assignee = $1, updated_at = $2 WHERE alert_id = $3', [
              assignee || null,
              now,
              id,
            ]);
            const detail = { from: old.assignee, to: assignee || null };
            await writeAudit(client, { at: now, action: 'alert.assign', targetKind: 'alert', targetId: id, detail }, actor);
          }
          const comment = valid.comment?.trim();
          if (comment) {
            await client.query('INSERT INTO analyst_alert_comments (alert_id, author, at, text) VALUES ($1, $2, $3, $4)', [
              id,
              actor.name,
              now,
              comment,
            ]);
            const detail = { text: comment };
            await writeAudit(client, { at: now, action: 'alert.comment', targetKind: 'alert', targetId: id, detail }, actor);
          }
        }
      });
      return [...(await statesOf(pool, valid.alertIds)).values()];
    },
    async comments(alertId) {
      const { rows } = await pool.query<AlertComment>(
        'SELECT author, at, text FROM analyst_alert_comments WHERE alert_id = $1 ORDER BY seq',
        [alertId],
      );
      return rows;
    },
    async cachedEntities(alertIds) {
      const { rows } = await pool.query<{ alertId: string; kind: string; value: string }>(
        'SELECT alert_id AS "alertId", kind, value FROM analyst_alert_entity WHERE alert_id = ANY($1)',
        [alertIds],
      );
      return new Map(rows.map((r) => [r.alertId, { kind: r.kind, value: r.value }]));
    },
    async cacheEntity(alertId, entity) {
      await pool.query(
        `INSERT INTO analyst_alert_entity (alert_id, kind, value) VALUES ($1, $2, $3)
         ON CONFLICT (alert_id) DO UPDATE SET kind = excluded.kind, value = excluded.value`,
        [alertId, entity.kind, entity.value],
      );
    },
  };
}

const SEARCH_COLUMNS = 'id, name, query, created_by AS "createdBy", created_at AS "createdAt"';

function searches(pool: pg.Pool): SavedSearches {
  return {
    async list() {
      const { rows } = await pool.query<SavedSearch>(`SELECT ${SEARCH_COLUMNS} FROM analyst_saved_searches ORDER BY lower(name)`);
      return rows;
    },
    save: (name, query, actor, now) =>
      inTransaction(pool, async (client) => {
        const clean = validSearch(name, query);
        const { rows } = await client.query<SavedSearch>(
          `INSERT INTO analyst_saved_searches (name, query, created_by, created_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (lower(name)) DO UPDATE SET query = excluded.query, created_by = excluded.created_by,
             created_at = excluded.created_at
           RETURNING ${SEARCH_COLUMNS}`,
          [clean, query, actor.name, now],
        );
        const saved = rows[0]!;
        const detail = { name: clean, query };
        await writeAudit(
          client,
          { at: now, action: 'search.save', targetKind: 'saved-search', targetId: String(saved.id), detail },
          actor,
        );
        return saved;
      }),
    delete: (id, actor, now) =>
      inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ name: string; query: string }>(
          'DELETE FROM analyst_saved_searches WHERE id = $1 RETURNING name, query',
          [id],
        );
        const old = rows[0];
        if (!old) return false;
        await writeAudit(
          client,
          { at: now, action: 'search.delete', targetKind: 'saved-search', targetId: String(id), detail: old },
          actor,
        );
        return true;
      }),
  };
}

function audit(pool: pg.Pool): AuditLog {
  return {
    async read(query = {}) {
      const clauses: string[] = [];
      const params: unknown[] = [];
      if (query.targetKind) {
        params.push(query.targetKind);
        clauses.push(`target_kind = $${params.length}`);
      }
      if (query.targetId) {
        params.push(query.targetId);
        clauses.push(`target_id = $${params.length}`);
      }
      params.push(auditLimit(query));
      const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
      const { rows } = await pool.query<AuditEntry>(
        `SELECT seq, at, actor, ip, action, target_kind AS "targetKind", target_id AS "targetId", detail
         FROM analyst_audit ${where} ORDER BY seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows;
    },
  };
}

/** Opens (creating if needed) the analyst tables in a PostgreSQL database: `state: postgres://…` when scaled out. */
export async function openPostgresAnalystStore(url: string, options: { poolSize?: number } = {}): Promise<AnalystStore> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 2, types, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // idle-client errors surface on the next query
  try {
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(DDL);
    });
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new StoreError(`cannot open the analyst tables in ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  return { triage: triage(pool), searches: searches(pool), audit: audit(pool), close: () => pool.end() };
}
