import { mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { Logger } from '../observability/logger.ts';
import type { StoreConfig } from './config.ts';
import { StoreError, StoreQueryError } from './errors.ts';
import { alertWhereOf, levelRank, type AlertQuery } from './alert-query.ts';
import { encodeBlock, type BlockInput } from './event-blocks.ts';
import { decodeCursor, encodeCursor, pageSize, type EventFilter, type EventQuery } from './event-query.ts';
import { createEventReads, SUMMARY_COLUMNS, summary, type SummaryRow } from './event-reads.ts';
import { eventIdKey } from './event-id-key.ts';
import { searchTextOf } from './full-text.ts';
import { indexedFields } from './indexed-fields.ts';
import { QueryPool } from './query-pool.ts';
import { applyRetention } from './retention.ts';
import { createSchema, SCHEMA_VERSION, schemaState } from './schema.ts';
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

const RATE_MINUTES = 5;
/** Events per compressed block: large enough to compress well, small enough to decode fast and free early. */
const BLOCK_EVENTS = 256;

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StoreError(`stored ${what} is not valid JSON`, { cause: err });
  }
}

/** WAL pages between checkpoints: ~40 MB, or a 16th of the size cap on a small store (never below SQLite's 1000). */
function checkpointPages(maxSizeBytes: number): number {
  return Math.max(1000, Math.min(10_000, Math.floor(maxSizeBytes / 4096 / 16)));
}

function configure(db: Database.Database, maxSizeBytes: number): void {
  // Before anything is written, so freed pages can be returned to the OS (bounded disk); a no-op on an existing file.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint every ~40 MB of WAL instead of 4 MB: a page rewritten by many batches (index, full-text) is copied
  // into the database once per checkpoint, so fewer checkpoints copy fewer pages (measured −4 to −5 µs/event).
  db.pragma(`wal_autocheckpoint = ${checkpointPages(maxSizeBytes)}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536'); // 64 MiB page cache
  db.pragma('mmap_size = 268435456');
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
    configure(db, maxSizeBytes);
    createSchema(db);
    return db;
  } catch (err) {
    if (err instanceof StoreError) throw new StoreError(`cannot open event store ${path}: ${err.message}`, { cause: err });
    throw new StoreError(`cannot open event store ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function openEventStore(
  config: Omit<StoreConfig, 'backend' | 'postgres_url'>,
  options: OpenEventStoreOptions = {},
): SqliteEventStore {
  const limits = { retentionMs: config.retention, maxEvents: config.max_events, maxSizeBytes: config.max_size_mb * 1024 * 1024 };
  const db = openDatabase(config.path, limits.maxSizeBytes, options.logger);
  const clock = options.now ?? Date.now;
  const pool = new QueryPool(config.path, { size: config.query_workers, timeoutMs: config.query_timeout });
  const reads = createEventReads(db);

  const insertEvent = db.prepare(`INSERT INTO events
    (id, id_key, tenant_id, tenant_name, content_type, time, ingested_at, user, source_ip, action, workload, outcome, category,
     country, description, block, slot)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // The ids stored among those of a batch, by their keys (all the batch's lookups in one statement).
  const selectStoredIds = db
    .prepare('SELECT id FROM events WHERE id_key IN (SELECT value FROM json_each(?))')
    .pluck() as Database.Statement<[string], string>;
  const insertFts = db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
  const insertBlock = db.prepare('INSERT INTO event_blocks (id, live, data) VALUES (?, ?, ?)');
  const nextBlock = db.prepare('SELECT coalesce(max(id), 0) + 1 FROM event_blocks').pluck();
  const upsertTotals =
    db.prepare(`INSERT INTO stream_totals (tenant_id, content_type, tenant_name, events_total, newest_event_at, last_insert_at)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, content_type) DO UPDATE SET tenant_name = excluded.tenant_name,
    events_total = events_total + excluded.events_total, newest_event_at = max(newest_event_at, excluded.newest_event_at),
    last_insert_at = excluded.last_insert_at`);
  const upsertEventMinute = db.prepare(`INSERT INTO event_minutes (minute, tenant_id, events, failures) VALUES (?, ?, ?, ?)
    ON CONFLICT (minute, tenant_id) DO UPDATE SET events = events + excluded.events, failures = failures + excluded.failures`);
  const upsertMinute = db.prepare(`INSERT INTO stream_minutes (tenant_id, content_type, minute, events) VALUES (?, ?, ?, ?)
    ON CONFLICT (tenant_id, content_type, minute) DO UPDATE SET events = events + excluded.events`);
  const insertAlert =
    // A grouped alert is raised again with the same id, a higher count and more events: the newest version wins.
    db.prepare(`INSERT INTO alerts (id, rule_id, title, level, level_rank, tenant_id, tenant_name, time, created_at, json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET time = max(time, excluded.time), json = excluded.json`);
  const insertLink = db.prepare('INSERT OR IGNORE INTO alert_events (alert_id, event_id) VALUES (?, ?)');
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

  const insertBatch = db.transaction((events: readonly ProcessedEvent[], now: number): number => {
    const streams = new Map<
      string,
      { tenantId: string; tenantName: string; contentType: string; count: number; newest: number }
    >();
    const minutes = new Map<string, { minute: number; tenantId: string; events: number; failures: number }>();
    let block = nextBlock.get() as number;
    let entries: BlockInput[] = [];
    let inserted = 0;
    const keys = events.map((e) => eventIdKey(e.id));
    // Ids already stored or met earlier in the batch are dropped: a batch delivered again after a crash adds nothing.
    const skip = new Set(selectStoredIds.all(JSON.stringify(keys)));
    const flush = () => {
      if (entries.length === 0) return;
      insertBlock.run(block, entries.length, encodeBlock(entries));
      inserted += entries.length;
      block++;
      entries = [];
    };
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (skip.has(event.id)) continue;
      skip.add(event.id);
      if (entries.length === BLOCK_EVENTS) flush();
      const fields = indexedFields(event);
      const result = insertEvent.run(
        event.id,
        keys[i],
        event.tenantId,
        event.tenantName,
        event.contentType,
        event.time,
        now,
        fields.user,
        fields.sourceIp,
        fields.action,
        fields.workload,
        fields.outcome,
        fields.category,
        fields.country,
        event.description,
        block,
        entries.length,
      );
      entries.push(event);
      insertFts.run(result.lastInsertRowid, searchTextOf(event, [fields.user, fields.sourceIp]));
      const key = `${event.tenantId}\u0000${event.contentType}`;
      let stream = streams.get(key);
      if (!stream) {
        stream = { tenantId: event.tenantId, tenantName: event.tenantName, contentType: event.contentType, count: 0, newest: 0 };
        streams.set(key, stream);
      }
      stream.count++;
      if (event.time > stream.newest) stream.newest = event.time;
      // Truncated like SQLite's integer division in the delete trigger.
      const minute = Math.trunc(event.time / 60_000);
      const minuteKey = `${minute}\u0000${event.tenantId}`;
      let counts = minutes.get(minuteKey);
      if (!counts) {
        counts = { minute, tenantId: event.tenantId, events: 0, failures: 0 };
        minutes.set(minuteKey, counts);
      }
      counts.events++;
      if (fields.outcome?.toLowerCase() === 'failure') counts.failures++;
    }
    flush();
    for (const m of minutes.values()) upsertEventMinute.run(m.minute, m.tenantId, m.events, m.failures);
    const minute = Math.floor(now / 60_000);
    for (const s of streams.values()) {
      upsertTotals.run(s.tenantId, s.contentType, s.tenantName, s.count, s.newest, now);
      upsertMinute.run(s.tenantId, s.contentType, minute, s.count);
    }
    return inserted;
  });

  const insertAlertBatch = db.transaction((alerts: readonly Alert[]): number => {
    let inserted = 0;
    for (const alert of alerts) {
      const known = selectAlert.get(alert.id) !== undefined;
      insertAlert.run(
        alert.id,
        alert.ruleId,
        alert.title,
        alert.level,
        levelRank(alert.level),
        alert.tenantId,
        alert.tenantName ?? null,
        alert.time,
        alert.createdAt,
        JSON.stringify(alert),
      );
      if (!known) inserted++;
      for (const eventId of alert.eventIds) insertLink.run(alert.id, eventId);
    }
    return inserted;
  });

  function wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError || err instanceof StoreQueryError) throw err;
      throw new StoreError(`${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    insertEvents: (events, now = Date.now()) =>
      events.length === 0 ? 0 : wrap('storing events', () => insertBatch(events, now)),

    insertAlerts: (alerts) => (alerts.length === 0 ? 0 : wrap('storing alerts', () => insertAlertBatch(alerts))),

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
        const result = applyRetention(db, limits, now);
        reads.forgetBlocks();
        return result;
      }),

    close: async () => {
      await pool.close();
      if (db.open) db.close();
    },
  };
}
