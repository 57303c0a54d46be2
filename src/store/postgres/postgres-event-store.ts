import pg from 'pg';
import type { Alert } from '../../core/alert.ts';
import { redactUrl } from '../../state/postgres/postgres-state-store.ts';
import type { StoreConfig } from '../config.ts';
import { StoreError, StoreQueryError } from '../errors.ts';
import { decodeCursor, encodeCursor, type EventFilter, pageSize, timeOrder } from '../event-query.ts';
import { FACET_EXACT_LIMIT, TAIL_LIMIT } from '../event-reads.ts';
import type { EventStore, OpenEventStoreOptions, SearchOptions } from '../event-store.ts';
import { QueryCancelledError } from '../query-pool.ts';
import type { EventSummary, FacetField, StoredEvent, StreamStats } from '../types.ts';
import { EventWriter } from './event-writer.ts';
import { decodeTail, encodeTail, HORIZON_SQL, laterOf } from './live-tail.ts';
import { DayPartitions } from './partitions.ts';
import { pgAlertWhereOf, pgWhereOf, SqlParams } from './pg-where.ts';
import { FORMAT1_PREFIX, idKeySql, migrateEventStore } from './schema.ts';

const RATE_MINUTES = 5;
const QUERY_CANCELED = '57014';
/** Connections of one process: writes, and the page's searches (a search never waits behind an insert). */
const WRITE_POOL_SIZE = 2;
const SEARCH_POOL_SIZE = 4;

const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

const SUMMARY_COLUMNS = `e.seq, e.id, e.tenant_id AS "tenantId", e.tenant_name AS "tenantName", e.content_type AS "contentType",
  e.time, e.user_name AS "user", e.source_ip AS "sourceIp", e.action, e.workload, e.outcome, e.description,
  EXISTS (SELECT 1 FROM o365_alert_events l WHERE l.event_id = e.id) AS alerted`;

type SummaryRow = EventSummary & { seq: number };

const summary = ({ seq: _seq, ...rest }: SummaryRow): EventSummary => rest;

const FACET_COLUMNS: Record<FacetField, string> = {
  user: 'e.user_name',
  sourceIp: 'e.source_ip',
  action: 'e.action',
  workload: 'e.workload',
  outcome: 'e.outcome',
  tenant: 'e.tenant_name',
};

interface EventRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  content_type: string;
  time: number;
  ingested_at: number;
  description: string;
  user_name: string | null;
  source_ip: string | null;
  action: string | null;
  workload: string | null;
  outcome: string | null;
  doc: Pick<StoredEvent, 'ecs' | 'raw'>;
}

function storedEvent(row: EventRow, alertIds: string[]): StoredEvent {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    contentType: row.content_type,
    time: row.time,
    ingestedAt: row.ingested_at,
    description: row.description,
    user: row.user_name,
    sourceIp: row.source_ip,
    action: row.action,
    workload: row.workload,
    outcome: row.outcome,
    ecs: row.doc.ecs,
    raw: row.doc.raw,
    alertIds,
  };
}

/**
 * The event and alert store shared by scaled-out workers (`state: postgres://…`): every worker writes its events and
 * alerts into one database, so the page served by any worker shows every tenant. Events are partitioned by day
 * (partitions.ts: retention drops whole days), searched with the same query language as the SQLite store (pg-where.ts,
 * values always bound as parameters) and written asynchronously in batches (event-writer.ts). Searches run on their
 * own connections under `query_timeout` (statement_timeout) and are cancelled on the server when the client goes away.
 */
export async function openPostgresEventStore(
  url: string,
  config: StoreConfig,
  options: OpenEventStoreOptions = {},
): Promise<EventStore> {
  const clock = options.now ?? Date.now;
  const pool = new pg.Pool({ connectionString: url, max: WRITE_POOL_SIZE, types, connectionTimeoutMillis: 10_000 });
  const searchPool = new pg.Pool({
    connectionString: url,
    max: SEARCH_POOL_SIZE,
    types,
    connectionTimeoutMillis: 10_000,
    statement_timeout: config.query_timeout,
  });
  // Idle-client errors (the server restarted) surface on the next query instead of crashing the process.
  pool.on('error', () => undefined);
  searchPool.on('error', () => undefined);
  const partitions = new DayPartitions(pool);
  try {
    const { setAside } = await migrateEventStore(pool);
    if (setAside > 0)
      options.logger?.warn(
        { partitions: setAside, renamedTo: `${FORMAT1_PREFIX}*` },
        'the events stored in the first PostgreSQL layout were set aside (renamed, not deleted; every event was also delivered to the sinks): the page starts empty',
      );
    await partitions.ensureAhead(Date.now());
  } catch (err) {
    await Promise.allSettled([pool.end(), searchPool.end()]);
    throw new StoreError(`cannot open the event store in ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  const writer = new EventWriter(pool, partitions, options.logger);
  let running = 0;

  /** Runs one search on a search connection: cancelled on the server when `signal` aborts, errors made typed. */
  async function search<T>(signal: AbortSignal | undefined, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new QueryCancelledError(false, config.query_timeout);
    const client = await searchPool.connect();
    running++;
    const pid = (client as unknown as { processID: number }).processID;
    const cancel = () => void pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await fn(client);
    } catch (err) {
      if ((err as { code?: string }).code === QUERY_CANCELED)
        throw new QueryCancelledError(!signal?.aborted, config.query_timeout);
      if (err instanceof StoreError || err instanceof StoreQueryError || (err as Error).name === 'QuerySyntaxError') throw err;
      throw new StoreError(`searching the store failed: ${(err as Error).message}`, { cause: err });
    } finally {
      signal?.removeEventListener('abort', cancel);
      running--;
      client.release();
    }
  }

  function read<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return fn().catch((err: unknown) => {
      if (err instanceof StoreError || err instanceof StoreQueryError) throw err;
      throw new StoreError(`${what} failed: ${(err as Error).message}`, { cause: err });
    });
  }

  /** Compiles a filter (throws QuerySyntaxError / StoreQueryError before anything reaches the database). */
  function where(filter: EventFilter): { sql: string; params: SqlParams } {
    const params = new SqlParams();
    return { sql: pgWhereOf(filter, params, clock()), params };
  }

  async function alertIdsOf(db: pg.Pool | pg.PoolClient, eventIds: readonly string[]): Promise<Map<string, string[]>> {
    const { rows } = await db.query<{ eventId: string; alertId: string }>(
      `SELECT l.event_id AS "eventId", l.alert_id AS "alertId" FROM o365_alert_events l JOIN o365_alerts a ON a.id = l.alert_id
       WHERE l.event_id = ANY($1::text[]) ORDER BY a.time DESC`,
      [eventIds],
    );
    const byEvent = new Map<string, string[]>();
    for (const row of rows) {
      const list = byEvent.get(row.eventId) ?? [];
      if (list.length < 100) list.push(row.alertId);
      byEvent.set(row.eventId, list);
    }
    return byEvent;
  }

  async function getEvents(ids: readonly string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const { rows } = await pool.query<EventRow>(
      `SELECT id, tenant_id, tenant_name, content_type, time, ingested_at, description, user_name, source_ip, action,
         workload, outcome, doc FROM o365_events
       WHERE id_key = ANY(ARRAY(SELECT ${idKeySql('i')} FROM unnest($1::text[]) AS i)) AND id = ANY($1::text[])`,
      [ids],
    );
    const alertIds = await alertIdsOf(pool, ids);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [storedEvent(row, alertIds.get(id) ?? [])] : [];
    });
  }

  async function streamRows(sinceMinute: number): Promise<StreamStats[]> {
    const { rows } = await pool.query<Omit<StreamStats, 'eventsPerMinute'> & { recent: number }>(
      `SELECT t.tenant_id AS "tenantId", t.tenant_name AS "tenantName", t.content_type AS "contentType",
         t.events_total AS "eventsTotal", t.newest_event_at AS "newestEventAt", t.last_insert_at AS "lastInsertAt",
         (SELECT coalesce(sum(m.events), 0) FROM o365_stream_minutes m
          WHERE m.tenant_id = t.tenant_id AND m.content_type = t.content_type AND m.minute > $1)::bigint AS recent
       FROM o365_stream_totals t ORDER BY t.tenant_name, t.content_type`,
      [sinceMinute],
    );
    return rows.map(({ recent, ...rest }) => ({ ...rest, eventsPerMinute: recent / RATE_MINUTES }));
  }

  return {
    insertEvents: (events, now = Date.now()) => {
      const valid = events.filter((e) => Number.isFinite(e.time));
      if (valid.length < events.length)
        options.logger?.warn({ dropped: events.length - valid.length }, 'events without a valid time were not stored');
      writer.insertEvents(valid, now);
    },
    insertAlerts: (alerts: readonly Alert[]) => writer.insertAlerts(alerts),
    flush: () => writer.flush(),

    searchEvents: async (query, options: SearchOptions = {}) => {
      const limit = pageSize(query.limit);
      const order = timeOrder(query.order);
      const [cmp, dir] = order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC'];
      const w = where(query);
      const cursor = query.cursor ? decodeCursor(query.cursor, order) : undefined;
      return search(options.signal, async (client) => {
        // Taken first: whatever commits from here on is after the tail cursor (never missed by the live tail).
        const horizon = (await client.query<{ xact: string }>(HORIZON_SQL)).rows[0]!.xact;
        const countParams = [...w.params.values];
        let sql = w.sql;
        if (cursor) sql += ` AND (e.time, e.seq) ${cmp} (${w.params.add(cursor.time)}, ${w.params.add(cursor.seq)})`;
        const { rows } = await client.query<SummaryRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM o365_events e WHERE ${sql} ORDER BY e.time ${dir}, e.seq ${dir}
           LIMIT ${w.params.add(limit + 1)}`,
          w.params.values,
        );
        const counted = await client.query<{ n: number }>(`SELECT count(*) AS n FROM o365_events e WHERE ${w.sql}`, countParams);
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          events: page.map(summary),
          ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq, order }) } : {}),
          total: counted.rows[0]?.n ?? 0,
          tailCursor: encodeTail({ xact: horizon, seq: 0 }),
        };
      });
    },

    // By ingestion position (live-tail.ts), whatever the event time: a late event with an old time is still "new".
    tailEvents: async (filter, after, limit = TAIL_LIMIT, options: SearchOptions = {}) => {
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
        throw new StoreQueryError('limit', 'must be an integer between 1 and 1000');
      const from = after === undefined ? undefined : decodeTail(after);
      const w = where(filter);
      return search(options.signal, async (client) => {
        const horizon = { xact: (await client.query<{ xact: string }>(HORIZON_SQL)).rows[0]!.xact, seq: 0 };
        if (!from) return { events: [], cursor: encodeTail(horizon), more: false };
        const { rows } = await client.query<SummaryRow & { xact: string }>(
          `SELECT ${SUMMARY_COLUMNS}, e.xact::text AS xact FROM o365_events e
           WHERE (e.xact, e.seq) > (${w.params.add(from.xact)}::xid8, ${w.params.add(from.seq)}::bigint)
             AND e.xact < ${w.params.add(horizon.xact)}::xid8 AND ${w.sql}
           ORDER BY e.xact, e.seq LIMIT ${w.params.add(limit + 1)}`,
          w.params.values,
        );
        const more = rows.length > limit;
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        const cursor = more && last ? { xact: last.xact, seq: last.seq } : laterOf(from, horizon);
        return { events: page.map(({ xact: _xact, ...row }) => summary(row)), cursor: encodeTail(cursor), more };
      });
    },

    histogram: async (filter, bucketMs, options: SearchOptions = {}) => {
      if (!Number.isInteger(bucketMs) || bucketMs < 1000)
        throw new StoreQueryError('bucket', 'must be a whole number of milliseconds ≥ 1000');
      const w = where(filter);
      return search(options.signal, async (client) => {
        const bucket = w.params.add(bucketMs);
        const { rows } = await client.query<{ start: number; count: number; failures: number }>(
          `SELECT (e.time / ${bucket}::bigint) * ${bucket}::bigint AS start, count(*) AS count,
             count(*) FILTER (WHERE lower(e.outcome) = 'failure') AS failures
           FROM o365_events e WHERE ${w.sql} GROUP BY 1 ORDER BY 1`,
          w.params.values,
        );
        return rows;
      });
    },

    timeBounds: async (filter, options: SearchOptions = {}) => {
      const w = where(filter);
      return search(options.signal, async (client) => {
        const { rows } = await client.query<{ oldest: number | null; newest: number | null }>(
          `SELECT min(e.time) AS oldest, max(e.time) AS newest FROM o365_events e WHERE ${w.sql}`,
          w.params.values,
        );
        const row = rows[0];
        return !row || row.oldest === null || row.newest === null ? undefined : { oldest: row.oldest, newest: row.newest };
      });
    },

    topValues: async (filter, field, limit = 5, options: SearchOptions = {}) => {
      const column = FACET_COLUMNS[field];
      const w = where(filter);
      return search(options.signal, async (client) => {
        const counted = await client.query<{ n: number }>(
          `SELECT count(*) AS n FROM o365_events e WHERE ${w.sql}`,
          w.params.values,
        );
        const matched = counted.rows[0]?.n ?? 0;
        const exact = matched <= FACET_EXACT_LIMIT;
        // Values that differ only in case count as one (as in the SQLite store), shown as first seen in sort order.
        const { rows } = await client.query<{ value: string; count: number }>(
          exact
            ? `SELECT min(${column}) AS value, count(*) AS count FROM o365_events e WHERE ${w.sql} AND ${column} IS NOT NULL
               GROUP BY lower(${column}) ORDER BY 2 DESC, 1 LIMIT ${w.params.add(limit)}`
            : `SELECT min(v) AS value, count(*) AS count FROM
                 (SELECT ${column} AS v FROM o365_events e WHERE ${w.sql} ORDER BY e.time DESC LIMIT ${FACET_EXACT_LIMIT}) s
               WHERE v IS NOT NULL GROUP BY lower(v) ORDER BY 2 DESC, 1 LIMIT ${w.params.add(limit)}`,
          w.params.values,
        );
        return { values: rows, exact, sample: exact ? matched : FACET_EXACT_LIMIT, matched };
      });
    },

    runningSearches: () => running,

    getEvent: (id) => read('reading an event', async () => (await getEvents([id]))[0]),
    getEvents: (ids) => read('reading events', () => getEvents(ids)),

    listAlerts: async (query) => {
      const limit = pageSize(query.limit);
      const params = new SqlParams();
      let sql = pgAlertWhereOf(query, params);
      if (query.cursor) {
        const cursor = decodeCursor(query.cursor);
        sql += ` AND (a.time, a.seq) < (${params.add(cursor.time)}, ${params.add(cursor.seq)})`;
      }
      return read('listing alerts', async () => {
        const { rows } = await pool.query<{ seq: number; time: number; json: Alert }>(
          `SELECT a.seq, a.time, a.json FROM o365_alerts a WHERE ${sql} ORDER BY a.time DESC, a.seq DESC
           LIMIT ${params.add(limit + 1)}`,
          params.values,
        );
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          alerts: page.map((r) => r.json),
          ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq, order: 'desc' }) } : {}),
        };
      });
    },

    getAlert: (id) =>
      read('reading an alert', async () => {
        const { rows } = await pool.query<{ json: Alert }>('SELECT json FROM o365_alerts WHERE id = $1', [id]);
        const alert = rows[0]?.json;
        if (!alert) return undefined;
        const linked = await pool.query<SummaryRow>(
          `SELECT ${SUMMARY_COLUMNS} FROM o365_alert_events k
           JOIN o365_events e ON e.id_key = ${idKeySql('k.event_id')} AND e.id = k.event_id
           WHERE k.alert_id = $1 ORDER BY e.time DESC, e.seq DESC LIMIT 1000`,
          [id],
        );
        const events = linked.rows.map(summary);
        const found = new Set(events.map((e) => e.id));
        return { alert, events, missingEventIds: alert.eventIds.filter((e) => !found.has(e)) };
      }),

    eventsPerMinute: (tenantId, contentType, now = Date.now()) =>
      read('reading rates', async () => {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT coalesce(sum(events), 0)::bigint AS n FROM o365_stream_minutes
           WHERE tenant_id = $1 AND content_type = $2 AND minute > $3`,
          [tenantId, contentType, Math.floor(now / 60_000) - RATE_MINUTES],
        );
        return (rows[0]?.n ?? 0) / RATE_MINUTES;
      }),

    streamStats: (now = Date.now()) => read('reading stream counters', () => streamRows(Math.floor(now / 60_000) - RATE_MINUTES)),

    countEvents: () =>
      read('counting events', async () => {
        const { rows } = await pool.query<{ n: number }>('SELECT coalesce(sum(events), 0)::bigint AS n FROM o365_event_days');
        return rows[0]?.n ?? 0;
      }),

    applyRetention: (now = Date.now()) =>
      read('applying retention', async () => {
        const cutoff = now - config.retention;
        await partitions.ensureAhead(now);
        const dropped = await partitions.dropOld(cutoff, config.max_events, config.max_size_mb * 1024 * 1024);
        const { rows } = await pool.query<{ n: number }>(
          `WITH old AS (DELETE FROM o365_alerts WHERE time < $1 RETURNING id),
             links AS (DELETE FROM o365_alert_events WHERE alert_id IN (SELECT id FROM old))
           SELECT count(*) AS n FROM old`,
          [cutoff],
        );
        await pool.query('DELETE FROM o365_stream_minutes WHERE minute < $1', [Math.floor((now - 86_400_000) / 60_000)]);
        return { deletedEvents: dropped.reduce((n, p) => n + p.events, 0), deletedAlerts: rows[0]?.n ?? 0 };
      }),

    close: async () => {
      await writer.close();
      await Promise.allSettled([pool.end(), searchPool.end()]);
    },
  };
}
