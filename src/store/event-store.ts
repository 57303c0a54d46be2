import { mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { Logger } from '../observability/logger.ts';
import type { StoreConfig } from './config.ts';
import { StoreError, StoreQueryError } from './errors.ts';
import { alertWhereOf, type AlertQuery } from './alert-query.ts';
import { decodeCursor, encodeCursor, pageSize, type EventFilter, type EventQuery } from './event-query.ts';
import { createEventReads, SUMMARY_COLUMNS, summary, type SummaryRow } from './event-reads.ts';
import { createEventWrites, eventRowOf } from './event-writes.ts';
import { QueryPool } from './query-pool.ts';
import { createSchema, SCHEMA_VERSION, schemaState } from './schema.ts';
import { configureConnection } from './sqlite-connection.ts';
import { StoreWriter } from './store-writer.ts';
import type {
  AlertPage,
  AlertWithEvents,
  EventPage,
  FacetField,
  FacetResult,
  HistogramBucket,
  RetentionResult,
  StoredEvent,
  StreamStats,
  TailPage,
} from './types.ts';

/** Options of one search: aborting the signal (the HTTP client went away) stops the query. */
export interface SearchOptions {
  signal?: AbortSignal;
}

/**
 * The searches of the events page. They run in worker threads with their own read-only connection
 * (QueryPool), each under a time limit, so they never hold up the event loop that collects.
 */
export interface EventSearch {
  /** Sorted by event time (`query.order`, newest first by default) over the whole result, keyset-paged, exact total. */
  searchEvents(query: EventQuery, options?: SearchOptions): Promise<EventPage>;
  /**
   * Live tail: events matching `filter` ingested after `after` (an `EventPage.tailCursor` or a previous
   * `TailPage.cursor`), in ingestion order, at most `limit` (default 200). `after` undefined means "from now": no
   * events, and the cursor of the newest event stored. An unknown cursor is a StoreQueryError on field `after`.
   */
  tailEvents(filter: EventFilter, after: string | undefined, limit?: number, options?: SearchOptions): Promise<TailPage>;
  /** Event counts per bucket (epoch-aligned), only non-empty buckets, oldest first. */
  histogram(filter: EventFilter, bucketMs: number, options?: SearchOptions): Promise<HistogramBucket[]>;
  /** Oldest and newest event time matching a filter (undefined when nothing matches). */
  timeBounds(filter: EventFilter, options?: SearchOptions): Promise<{ oldest: number; newest: number } | undefined>;
  /** Most frequent values of a field among the events matching a filter (exact, or a labelled sample). */
  topValues(filter: EventFilter, field: FacetField, limit?: number, options?: SearchOptions): Promise<FacetResult>;
}

/** A value, or a promise of it: the SQLite store answers at once, the PostgreSQL one over the network. */
export type Awaitable<T> = T | Promise<T>;

/**
 * What the pipeline and the web page use of an event store: the SQLite file of one process (openEventStore) or the
 * PostgreSQL database that scaled-out workers share (openPostgresEventStore). Callers `await` every read.
 */
export interface EventStore extends EventSearch {
  /**
   * Takes a batch for storing; an id already stored is ignored. The SQLite store writes it in one transaction at
   * once; the PostgreSQL store queues it and writes queued batches together (`flush` waits for that).
   */
  insertEvents(events: readonly ProcessedEvent[], now?: number): void;
  /** Stores alerts and their event links (same timing as insertEvents); a known id is replaced by the newer version. */
  insertAlerts(alerts: readonly Alert[]): void;
  /** Resolves once everything given to insertEvents / insertAlerts is committed; rejects if writing it failed. */
  flush(): Promise<void>;
  /** One event by id. */
  getEvent(id: string): Awaitable<StoredEvent | undefined>;
  /** Several events by id, in the order asked (ids not stored are left out): an export reads a page at once. */
  getEvents(ids: readonly string[]): Awaitable<StoredEvent[]>;
  listAlerts(query: AlertQuery): Awaitable<AlertPage>;
  getAlert(id: string): Awaitable<AlertWithEvents | undefined>;
  /** Average events stored per minute over the last 5 minutes for one tenant × content type. */
  eventsPerMinute(tenantId: string, contentType: string, now?: number): Awaitable<number>;
  /** Totals and rates per tenant × content type (every worker's, when shared). */
  streamStats(now?: number): Awaitable<StreamStats[]>;
  countEvents(): Awaitable<number>;
  /** Searches running now (in this process). */
  runningSearches(): number;
  /** Deletes events and alerts past retention, then the oldest events beyond the row and size caps. */
  applyRetention(now?: number): Awaitable<RetentionResult>;
  close(): Promise<void>;
}

/** The SQLite store: everything but the searches answers synchronously, and inserts say how many events were new. */
export interface SqliteEventStore extends EventStore {
  /** Stores a batch in one transaction; an id already stored is ignored. Returns how many were new. */
  insertEvents(events: readonly ProcessedEvent[], now?: number): number;
  /** Stores alerts and their event links; a known id is replaced by the newer version. Returns how many were new. */
  insertAlerts(alerts: readonly Alert[]): number;
  /** One event by id (an indexed lookup and one block decoded). */
  getEvent(id: string): StoredEvent | undefined;
  getEvents(ids: readonly string[]): StoredEvent[];
  listAlerts(query: AlertQuery): AlertPage;
  getAlert(id: string): AlertWithEvents | undefined;
  eventsPerMinute(tenantId: string, contentType: string, now?: number): number;
  streamStats(now?: number): StreamStats[];
  countEvents(): number;
  applyRetention(now?: number): RetentionResult;
}

export interface OpenEventStoreOptions {
  /** Told when an older store file is set aside. */
  logger?: Logger;
  /** Clock of relative times in queries (`now-1h`), for tests. */
  now?: () => number;
}

/**
 * Where the store's writes run. `inline`: on the caller's thread, synchronously (the CLI, tests). `thread`: in the
 * store's writer thread (store-writer.ts), what `o365-intake run` uses: the insert runs beside the collecting event
 * loop, and `flush()` waits for it.
 */
export type StoreWriterMode = 'inline' | 'thread';

const RATE_MINUTES = 5;

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StoreError(`stored ${what} is not valid JSON`, { cause: err });
  }
}

/**
 * Opens the store file. A file written in an older format (before schema 2) is renamed to
 * `<path>.format<N>.old` and a new store is started (the events were also delivered to the sinks);
 * a file from a newer version is refused with a clear error.
 */
function openDatabase(path: string, maxSizeBytes: number, logger?: Logger): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });
    let db = new Database(path);
    const state = schemaState(db);
    if (state === 'newer') {
      const version = db.pragma('user_version', { simple: true }) as number;
      db.close();
      throw new StoreError(`the store was written by a newer version (schema ${version}, this build knows ${SCHEMA_VERSION})`);
    }
    if (state === 'older') {
      const version = db.pragma('user_version', { simple: true }) as number;
      db.close();
      const aside = `${path}.format${version}.old`;
      for (const suffix of ['', '-wal', '-shm']) {
        try {
          renameSync(path + suffix, aside + suffix);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      logger?.warn(
        { path, setAside: aside, oldFormat: version, format: SCHEMA_VERSION },
        'event store format changed: the old store file was set aside and a new one started (events already delivered to sinks are not affected)',
      );
      db = new Database(path);
    }
    configureConnection(db, maxSizeBytes);
    createSchema(db);
    return db;
  } catch (err) {
    if (err instanceof StoreError) throw new StoreError(`cannot open event store ${path}: ${err.message}`, { cause: err });
    throw new StoreError(`cannot open event store ${path}: ${(err as Error).message}`, { cause: err });
  }
}

type SqliteStoreConfig = Omit<StoreConfig, 'backend' | 'postgres_url'>;

export function openEventStore(
  config: SqliteStoreConfig,
  options?: OpenEventStoreOptions & { writer?: 'inline' },
): SqliteEventStore;
export function openEventStore(config: SqliteStoreConfig, options: OpenEventStoreOptions & { writer: 'thread' }): EventStore;
export function openEventStore(
  config: SqliteStoreConfig,
  options: OpenEventStoreOptions & { writer?: StoreWriterMode } = {},
): EventStore {
  const limits = { retentionMs: config.retention, maxEvents: config.max_events, maxSizeBytes: config.max_size_mb * 1024 * 1024 };
  const db = openDatabase(config.path, limits.maxSizeBytes, options.logger);
  const clock = options.now ?? Date.now;
  const pool = new QueryPool(config.path, { size: config.query_workers, timeoutMs: config.query_timeout });
  const reads = createEventReads(db);
  const writes = createEventWrites(db, limits);

  const selectAlert = db.prepare('SELECT json FROM alerts WHERE id = ?');
  const selectLinkedEvents = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM alert_events k
    JOIN events e ON e.id_key = event_id_key(k.event_id) AND e.id = k.event_id
    WHERE k.alert_id = ? ORDER BY e.time DESC, e.seq DESC LIMIT 1000`);
  const selectMinutes = db.prepare(`SELECT coalesce(sum(events), 0) AS n FROM stream_minutes
    WHERE tenant_id = ? AND content_type = ? AND minute > ?`);
  const selectStreams = db.prepare(`SELECT t.tenant_id AS tenantId, t.tenant_name AS tenantName, t.content_type AS contentType,
    t.events_total AS eventsTotal, t.newest_event_at AS newestEventAt, t.last_insert_at AS lastInsertAt,
    (SELECT coalesce(sum(m.events), 0) FROM stream_minutes m WHERE m.tenant_id = t.tenant_id AND m.content_type = t.content_type AND m.minute > ?) AS recent
    FROM stream_totals t ORDER BY t.tenant_name, t.content_type`);

  function wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError || err instanceof StoreQueryError) throw err;
      throw new StoreError(`${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  const store: SqliteEventStore = {
    insertEvents: (events, now = Date.now()) =>
      events.length === 0 ? 0 : wrap('storing events', () => writes.insertEvents(events.map(eventRowOf), now)),

    insertAlerts: (alerts) => wrap('storing alerts', () => writes.insertAlerts(alerts)),

    searchEvents: (query, options) => pool.run('searchEvents', [query, clock()], options?.signal),
    tailEvents: (filter, after, limit, options) => pool.run('tailEvents', [filter, after, limit, clock()], options?.signal),
    histogram: (filter, bucketMs, options) => pool.run('histogram', [filter, bucketMs, clock()], options?.signal),
    timeBounds: (filter, options) => pool.run('timeBounds', [filter, clock()], options?.signal),
    topValues: (filter, field, limit = 5, options) => pool.run('topValues', [filter, field, limit, clock()], options?.signal),

    runningSearches: () => pool.running,

    flush: () => Promise.resolve(),

    getEvent: (id) => wrap('reading an event', () => reads.getEvent(id)),
    getEvents: (ids) =>
      wrap('reading events', () => ids.map((id) => reads.getEvent(id)).filter((e): e is StoredEvent => e !== undefined)),

    listAlerts: (query) =>
      wrap('listing alerts', () => {
        const limit = pageSize(query.limit);
        const where = alertWhereOf(query);
        const params = [...where.params];
        let sql = where.sql;
        if (query.cursor) {
          const cursor = decodeCursor(query.cursor, 'desc');
          sql += ' AND (a.time < ? OR (a.time = ? AND a.rowid < ?))';
          params.push(cursor.time, cursor.time, cursor.seq);
        }
        const rows = db
          .prepare(`SELECT a.rowid AS seq, a.time, a.json FROM alerts a WHERE ${sql} ORDER BY a.time DESC, a.rowid DESC LIMIT ?`)
          .all(...params, limit + 1) as { seq: number; time: number; json: string }[];
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          alerts: page.map((r) => parseJson<Alert>(r.json, 'alert')),
          ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq, order: 'desc' }) } : {}),
        };
      }),

    getAlert: (id) =>
      wrap('reading an alert', () => {
        const row = selectAlert.get(id) as { json: string } | undefined;
        if (!row) return undefined;
        const alert = parseJson<Alert>(row.json, 'alert');
        const events = (selectLinkedEvents.all(id) as SummaryRow[]).map(summary);
        const found = new Set(events.map((e) => e.id));
        return { alert, events, missingEventIds: alert.eventIds.filter((e) => !found.has(e)) };
      }),

    eventsPerMinute: (tenantId, contentType, now = Date.now()) =>
      wrap('reading rates', () => {
        const since = Math.floor(now / 60_000) - RATE_MINUTES;
        return (selectMinutes.get(tenantId, contentType, since) as { n: number }).n / RATE_MINUTES;
      }),

    streamStats: (now = Date.now()) =>
      wrap('reading stream counters', () => {
        const since = Math.floor(now / 60_000) - RATE_MINUTES;
        return (selectStreams.all(since) as (Omit<StreamStats, 'eventsPerMinute'> & { recent: number })[]).map(
          ({ recent, ...rest }) => ({ ...rest, eventsPerMinute: recent / RATE_MINUTES }),
        );
      }),

    countEvents: () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n,

    applyRetention: (now = Date.now()) =>
      wrap('applying retention', () => {
        const result = writes.applyRetention(now);
        reads.forgetBlocks();
        return result;
      }),

    close: async () => {
      await pool.close();
      if (db.open) db.close();
    },
  };
  if (options.writer !== 'thread') return store;

  const writer = new StoreWriter({ path: config.path, maxSizeBytes: limits.maxSizeBytes, limits });
  return {
    ...store,
    // The rows (columns, searchable text, the documents' JSON) are made here: only strings cross to the thread.
    insertEvents: (events, now = Date.now()) => writer.insertEvents(events.map(eventRowOf), now),
    insertAlerts: (alerts) => writer.insertAlerts([...alerts]),
    flush: () => writer.flush(),
    applyRetention: async (now = Date.now()) => {
      const result = await writer.applyRetention(now);
      reads.forgetBlocks();
      return result;
    },
    close: async () => {
      await writer.close();
      await store.close();
    },
  };
}
