import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { StoreConfig } from './config.ts';
import { StoreError, StoreQueryError } from './errors.ts';
import { alertWhereOf, levelRank, type AlertQuery } from './alert-query.ts';
import { decodeCursor, encodeCursor, pageSize, whereOf, type EventFilter, type EventQuery } from './event-query.ts';
import { fullTextOf } from './full-text.ts';
import { indexedFields } from './indexed-fields.ts';
import { applyRetention } from './retention.ts';
import { migrate } from './schema.ts';
import type {
  AlertPage,
  AlertWithEvents,
  EventPage,
  EventSummary,
  FacetField,
  FacetValue,
  HistogramBucket,
  RetentionResult,
  StoredEvent,
  StreamStats,
} from './types.ts';

export interface EventStore {
  /** Stores a batch in one transaction; an id already stored is ignored. Returns how many were new. */
  insertEvents(events: readonly ProcessedEvent[], now?: number): number;
  /** Stores alerts and their event links; an id already stored is ignored. Returns how many were new. */
  insertAlerts(alerts: readonly Alert[]): number;
  /** Newest first, keyset-paged. */
  searchEvents(query: EventQuery): EventPage;
  getEvent(id: string): StoredEvent | undefined;
  listAlerts(query: AlertQuery): AlertPage;
  getAlert(id: string): AlertWithEvents | undefined;
  /** Event counts per bucket (epoch-aligned), only non-empty buckets, oldest first. */
  histogram(filter: EventFilter, bucketMs: number): HistogramBucket[];
  /** Oldest and newest event time matching a filter (undefined when nothing matches). */
  timeBounds(filter: EventFilter): { oldest: number; newest: number } | undefined;
  /** Most frequent values of a field among the (newest `sample`) events matching a filter. */
  topValues(filter: EventFilter, field: FacetField, limit?: number, sample?: number): FacetValue[];
  /** Average events stored per minute over the last 5 minutes for one tenant × content type. */
  eventsPerMinute(tenantId: string, contentType: string, now?: number): number;
  /** Totals and rates per tenant × content type. */
  streamStats(now?: number): StreamStats[];
  countEvents(): number;
  /** Deletes events and alerts past retention, then the oldest events beyond the row and size caps. */
  applyRetention(now?: number): RetentionResult;
  close(): void;
}

const TOTAL_CAP = 10_000;
const RATE_MINUTES = 5;

const SUMMARY_COLUMNS = `e.seq, e.id, e.tenant_id AS tenantId, e.tenant_name AS tenantName, e.content_type AS contentType, e.time,
  e.user, e.source_ip AS sourceIp, e.action, e.workload, e.outcome, e.description,
  EXISTS (SELECT 1 FROM alert_events l WHERE l.event_id = e.id) AS alerted`;

type SummaryRow = Omit<EventSummary, 'alerted'> & { seq: number; alerted: number };

const FACET_COLUMNS: Record<FacetField, string> = {
  user: 'e.user',
  sourceIp: 'e.source_ip',
  action: 'e.action',
  workload: 'e.workload',
  outcome: 'e.outcome',
  tenant: 'e.tenant_name',
};

function summary(row: SummaryRow): EventSummary {
  const { seq: _seq, alerted, ...rest } = row;
  return { ...rest, alerted: alerted === 1 };
}

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new StoreError(`stored ${what} is not valid JSON`, { cause: err });
  }
}

function openDatabase(path: string): Database.Database {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    // Before anything is written, so freed pages can be returned to the OS (bounded disk); a no-op on an existing file.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB page cache
    db.pragma('mmap_size = 268435456');
    migrate(db);
    return db;
  } catch (err) {
    throw new StoreError(`cannot open event store ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function openEventStore(config: StoreConfig & { path: string }): EventStore {
  const db = openDatabase(config.path);
  const limits = { retentionMs: config.retention, maxEvents: config.max_events, maxSizeBytes: config.max_size_mb * 1024 * 1024 };

  const insertEvent = db.prepare(`INSERT OR IGNORE INTO events
    (id, tenant_id, tenant_name, content_type, time, ingested_at, user, source_ip, action, workload, outcome, description, ecs, raw)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertFts = db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)');
  const upsertTotals =
    db.prepare(`INSERT INTO stream_totals (tenant_id, content_type, tenant_name, events_total, newest_event_at, last_insert_at)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, content_type) DO UPDATE SET tenant_name = excluded.tenant_name,
    events_total = events_total + excluded.events_total, newest_event_at = max(newest_event_at, excluded.newest_event_at),
    last_insert_at = excluded.last_insert_at`);
  const upsertMinute = db.prepare(`INSERT INTO stream_minutes (tenant_id, content_type, minute, events) VALUES (?, ?, ?, ?)
    ON CONFLICT (tenant_id, content_type, minute) DO UPDATE SET events = events + excluded.events`);
  const insertAlert =
    db.prepare(`INSERT OR IGNORE INTO alerts (id, rule_id, title, level, level_rank, tenant_id, tenant_name, time, created_at, json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertLink = db.prepare('INSERT OR IGNORE INTO alert_events (alert_id, event_id) VALUES (?, ?)');
  const selectEvent = db.prepare('SELECT * FROM events WHERE id = ?');
  const selectAlertIdsOfEvent = db.prepare(`SELECT l.alert_id AS id FROM alert_events l JOIN alerts a ON a.id = l.alert_id
    WHERE l.event_id = ? ORDER BY a.time DESC LIMIT 100`);
  const selectAlert = db.prepare('SELECT json FROM alerts WHERE id = ?');
  const selectLinkedEvents = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM alert_events k JOIN events e ON e.id = k.event_id
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
    let inserted = 0;
    for (const event of events) {
      const fields = indexedFields(event);
      const result = insertEvent.run(
        event.id,
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
        event.description,
        JSON.stringify(event.ecs),
        JSON.stringify(event.raw),
      );
      if (result.changes === 0) continue;
      inserted++;
      insertFts.run(result.lastInsertRowid, fullTextOf(event.description, event.raw));
      const key = `${event.tenantId}\u0000${event.contentType}`;
      const stream = streams.get(key) ?? {
        tenantId: event.tenantId,
        tenantName: event.tenantName,
        contentType: event.contentType,
        count: 0,
        newest: 0,
      };
      stream.count++;
      stream.newest = Math.max(stream.newest, event.time);
      streams.set(key, stream);
    }
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
      const result = insertAlert.run(
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
      if (result.changes === 0) continue;
      inserted++;
      for (const eventId of alert.eventIds) insertLink.run(alert.id, eventId);
    }
    return inserted;
  });

  function wrap<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError || err instanceof StoreQueryError) throw err;
      if (err instanceof Database.SqliteError && /fts5: syntax error/.test(err.message)) {
        throw new StoreQueryError('q', 'is not a valid search');
      }
      throw new StoreError(`${what} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    insertEvents: (events, now = Date.now()) =>
      events.length === 0 ? 0 : wrap('storing events', () => insertBatch(events, now)),

    insertAlerts: (alerts) => (alerts.length === 0 ? 0 : wrap('storing alerts', () => insertAlertBatch(alerts))),

    searchEvents: (query) =>
      wrap('searching events', () => {
        const limit = pageSize(query.limit);
        const where = whereOf(query);
        const params = [...where.params];
        let sql = where.sql;
        if (query.cursor) {
          const cursor = decodeCursor(query.cursor);
          sql += ' AND (e.time < ? OR (e.time = ? AND e.seq < ?))';
          params.push(cursor.time, cursor.time, cursor.seq);
        }
        const rows = db
          .prepare(`SELECT ${SUMMARY_COLUMNS} FROM events e WHERE ${sql} ORDER BY e.time DESC, e.seq DESC LIMIT ?`)
          .all(...params, limit + 1) as SummaryRow[];
        const total = (
          db
            .prepare(`SELECT count(*) AS n FROM (SELECT 1 FROM events e WHERE ${where.sql} LIMIT ?)`)
            .get(...where.params, TOTAL_CAP + 1) as { n: number }
        ).n;
        const page = rows.slice(0, limit);
        const last = page.at(-1);
        return {
          events: page.map(summary),
          ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq }) } : {}),
          total: Math.min(total, TOTAL_CAP),
          totalCapped: total > TOTAL_CAP,
        };
      }),

    getEvent: (id) =>
      wrap('reading an event', () => {
        const row = selectEvent.get(id) as Record<string, unknown> | undefined;
        if (!row) return undefined;
        return {
          id: row.id as string,
          tenantId: row.tenant_id as string,
          tenantName: row.tenant_name as string,
          contentType: row.content_type as string,
          time: row.time as number,
          ingestedAt: row.ingested_at as number,
          description: row.description as string,
          user: row.user as string | null,
          sourceIp: row.source_ip as string | null,
          action: row.action as string | null,
          workload: row.workload as string | null,
          outcome: row.outcome as string | null,
          ecs: parseJson(row.ecs as string, 'ECS document'),
          raw: parseJson(row.raw as string, 'raw record'),
          alertIds: (selectAlertIdsOfEvent.all(id) as { id: string }[]).map((r) => r.id),
        };
      }),

    listAlerts: (query) =>
      wrap('listing alerts', () => {
        const limit = pageSize(query.limit);
        const where = alertWhereOf(query);
        const params = [...where.params];
        let sql = where.sql;
        if (query.cursor) {
          const cursor = decodeCursor(query.cursor);
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
          ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq }) } : {}),
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

    histogram: (filter, bucketMs) =>
      wrap('building the histogram', () => {
        if (!Number.isInteger(bucketMs) || bucketMs < 1000)
          throw new StoreQueryError('bucket', 'must be a whole number of milliseconds ≥ 1000');
        const where = whereOf(filter);
        return db
          .prepare(`SELECT CAST(e.time / ? AS INTEGER) * ? AS start, count(*) AS count, sum(e.outcome = 'failure') AS failures
        FROM events e WHERE ${where.sql} GROUP BY 1 ORDER BY 1`)
          .all(bucketMs, bucketMs, ...where.params) as HistogramBucket[];
      }),

    timeBounds: (filter) =>
      wrap('reading time bounds', () => {
        const where = whereOf(filter);
        const row = db
          .prepare(`SELECT min(e.time) AS oldest, max(e.time) AS newest FROM events e WHERE ${where.sql}`)
          .get(...where.params) as { oldest: number | null; newest: number | null };
        return row.oldest === null || row.newest === null ? undefined : { oldest: row.oldest, newest: row.newest };
      }),

    topValues: (filter, field, limit = 5, sample = 10_000) =>
      wrap('counting values', () => {
        const column = FACET_COLUMNS[field];
        const where = whereOf(filter);
        return db
          .prepare(`SELECT v AS value, count(*) AS count FROM
        (SELECT ${column} AS v FROM events e WHERE ${where.sql} ORDER BY e.time DESC LIMIT ?)
        WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ?`)
          .all(...where.params, sample, limit) as FacetValue[];
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

    applyRetention: (now = Date.now()) => wrap('applying retention', () => applyRetention(db, limits, now)),

    close: () => {
      if (db.open) db.close();
    },
  };
}
