import type pg from 'pg';
import { inTransaction } from '../../state/postgres/transaction.ts';

/** pg_advisory_xact_lock key: workers starting together create the event tables one at a time. */
const MIGRATION_LOCK = 0x0365_e7e1;

/**
 * The event store when scaled out (every worker writes, any worker's page reads):
 *
 * - `o365_events`: one row per event, partitioned by UTC day of event time (`o365_events_<yyyymmdd>`, created by
 *   partitions.ts ahead of need); retention drops whole partitions. The key is (id_key, time), id_key the MD5 of
 *   the id as a uuid (16 bytes where ids are ~73 characters: the key index is a third of the (id, time) one): an
 *   event delivered again has the same id and time, so it is ignored. Lookups by id go through id_key (ID_KEY_SQL). `doc` is `{"ecs": …, "raw": …}` as JSON text, compressed (pglz) as one
 *   value: ECS and raw repeat each other's ids and names, and one compressed text is 0.6× the two JSONB documents (a
 *   field searched by name is read with `doc::jsonb`). `search` is the full-text vector of the searchable words, GIN
 *   indexed with a pending list of at most 256 kB: the default 4 MB stays allocated in every day's index (~700 bytes
 *   an event at 7,000 events a day), and `fastupdate = off` doubles the server's insert CPU (256 kB: +9%). The vector
 *   is stored, not computed from the words by an expression index: the text is half its size, but a search whose
 *   full text is not answered by the index alone (a phrase rechecked, a NOT, a filter after the time order) would
 *   compute it again on every row it reads (~26 µs a row, against reading it). Filter columns have
 *   (lower(column), time) indexes.
 *   `xact` is the inserting transaction (the live tail reads by (xact, seq): see live-tail.ts).
 * - `o365_event_days`: events stored per day (exact counts for the row cap without counting partitions).
 * - `o365_alerts` and `o365_alert_events` (links to event ids); `o365_stream_totals` / `o365_stream_minutes`: counters
 *   per tenant × content type for the health page.
 * - `o365_sink_health`: each worker's outputs as it last reported them (worker-sink-health.ts), with the database's
 *   time of the report (staleness is judged by one clock).
 * - `o365_try_numeric` / `o365_try_timestamptz`: casts that give NULL instead of an error, for ranges on document fields.
 */
const DDL = `
CREATE SEQUENCE IF NOT EXISTS o365_events_seq;
CREATE TABLE IF NOT EXISTS o365_events (
  id TEXT NOT NULL,
  time BIGINT NOT NULL,
  seq BIGINT NOT NULL DEFAULT nextval('o365_events_seq'),
  tenant_id TEXT NOT NULL,
  tenant_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  ingested_at BIGINT NOT NULL,
  user_name TEXT,
  source_ip TEXT,
  action TEXT,
  workload TEXT,
  outcome TEXT,
  category TEXT,
  country TEXT,
  description TEXT NOT NULL,
  doc JSON NOT NULL,
  search TSVECTOR NOT NULL,
  xact XID8 NOT NULL DEFAULT pg_current_xact_id(),
  id_key UUID NOT NULL GENERATED ALWAYS AS (md5(id)::uuid) STORED,
  PRIMARY KEY (id_key, time)
) PARTITION BY RANGE (time);
CREATE INDEX IF NOT EXISTS o365_events_time ON o365_events (time, seq);
CREATE INDEX IF NOT EXISTS o365_events_tenant ON o365_events (tenant_id, time);
CREATE INDEX IF NOT EXISTS o365_events_tenant_name ON o365_events (tenant_name, time);
CREATE INDEX IF NOT EXISTS o365_events_user ON o365_events (lower(user_name), time);
CREATE INDEX IF NOT EXISTS o365_events_ip ON o365_events (lower(source_ip), time);
CREATE INDEX IF NOT EXISTS o365_events_action ON o365_events (lower(action), time);
CREATE INDEX IF NOT EXISTS o365_events_outcome ON o365_events (lower(outcome), time);
CREATE INDEX IF NOT EXISTS o365_events_search ON o365_events USING GIN (search) WITH (gin_pending_list_limit = 256);
CREATE INDEX IF NOT EXISTS o365_events_ingested ON o365_events (xact, seq);
CREATE TABLE IF NOT EXISTS o365_event_days (
  day INTEGER PRIMARY KEY,
  events BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS o365_alerts (
  id TEXT PRIMARY KEY,
  seq BIGSERIAL NOT NULL,
  rule_id TEXT NOT NULL,
  title TEXT NOT NULL,
  level TEXT NOT NULL,
  level_rank INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  tenant_name TEXT,
  time BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  json JSONB NOT NULL
);
CREATE INDEX IF NOT EXISTS o365_alerts_time ON o365_alerts (time, seq);
CREATE INDEX IF NOT EXISTS o365_alerts_tenant ON o365_alerts (tenant_id, time);
CREATE TABLE IF NOT EXISTS o365_alert_events (
  alert_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (alert_id, event_id)
);
CREATE INDEX IF NOT EXISTS o365_alert_events_event ON o365_alert_events (event_id);

CREATE TABLE IF NOT EXISTS o365_stream_totals (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  tenant_name TEXT NOT NULL,
  events_total BIGINT NOT NULL,
  newest_event_at BIGINT NOT NULL,
  last_insert_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, content_type)
);
CREATE TABLE IF NOT EXISTS o365_stream_minutes (
  tenant_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  minute BIGINT NOT NULL,
  events BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, content_type, minute)
);

CREATE TABLE IF NOT EXISTS o365_sink_health (
  node_id TEXT NOT NULL,
  name TEXT NOT NULL,
  health JSONB NOT NULL,
  reported_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (node_id, name)
);

CREATE OR REPLACE FUNCTION o365_try_numeric(value TEXT) RETURNS NUMERIC LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN value::numeric;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION o365_try_timestamptz(value TEXT) RETURNS TIMESTAMPTZ LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF value !~ '^\\d{4}-\\d{2}-\\d{2}' THEN
    RETURN NULL;
  END IF;
  -- Like the query's own times: UTC unless the value names a zone.
  IF value !~ '([zZ]|[+-]\\d\\d:?\\d\\d)$' THEN
    value := value || 'Z';
  END IF;
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
`;

/** SQL of the id_key of an id (an SQL expression of type text): how a lookup by id finds the key index. */
export const idKeySql = (id: string): string => `md5(${id})::uuid`;

/** Name prefix of the tables of the first layout (JSONB `ecs` + `raw`), set aside by the migration. */
export const FORMAT1_PREFIX = 'o365_events_format1';

/**
 * Sets aside an `o365_events` of the first layout: the table, its day partitions and every index are renamed
 * `o365_events_format1…` (nothing is deleted: every event was also delivered to the sinks; drop them when no longer
 * wanted), and so is the per-day count. Returns the partitions set aside (0 when there was no such table).
 */
async function setAsideFormat1(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('o365_events') AND attname = 'ecs' AND NOT attisdropped`,
  );
  if (rows.length === 0) return 0;
  const tables = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind FROM pg_class c
     WHERE c.oid = 'o365_events'::regclass
        OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'o365_events'::regclass)
        OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'o365_events'::regclass
          OR indrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'o365_events'::regclass))`,
  );
  // Indexes first (a table's rename does not move them), parents before partitions' indexes: names stay unique.
  const order = (kind: string) => (kind === 'I' ? 0 : kind === 'i' ? 1 : 2);
  for (const { name, kind } of tables.rows.sort((a, b) => order(a.kind) - order(b.kind))) {
    if (!name.startsWith('o365_events')) continue;
    const renamed = FORMAT1_PREFIX + name.slice('o365_events'.length);
    // Names come from the catalog and get a fixed prefix; quoted as identifiers all the same.
    const what = kind === 'i' || kind === 'I' ? 'INDEX' : 'TABLE';
    await client.query(`ALTER ${what} ${client.escapeIdentifier(name)} RENAME TO ${client.escapeIdentifier(renamed)}`);
  }
  await client.query(`ALTER TABLE IF EXISTS o365_event_days RENAME TO o365_event_days_format1`);
  return tables.rows.filter((t) => t.kind === 'r').length;
}

/**
 * Creates the event store's tables if missing (idempotent; workers starting together take turns). Returns how many day
 * partitions of the first layout were set aside (see setAsideFormat1), for the caller to say so.
 */
export async function migrateEventStore(pool: pg.Pool): Promise<{ setAside: number }> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    const setAside = await setAsideFormat1(client);
    await client.query(DDL);
    return { setAside };
  });
}
