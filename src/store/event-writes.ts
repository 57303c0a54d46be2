import type Database from 'better-sqlite3';
import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import { levelRank } from './alert-query.ts';
import { encodeBlock } from './event-blocks.ts';
import { eventIdKey } from './event-id-key.ts';
import { searchTextOf } from './full-text.ts';
import { type IndexedFields, indexedFields } from './indexed-fields.ts';
import { applyRetention, type RetentionLimits } from './retention.ts';
import { countStreamEvent, type StreamCount } from './stream-counts.ts';
import type { RetentionResult } from './types.ts';

/**
 * One event as the SQLite store writes it: its filtered columns, its searchable text and its two documents as JSON.
 * Made by the thread that holds the event (eventRowOf), so the writer (inline or a writer thread) needs no object
 * of the pipeline's and parses nothing; only strings and numbers cross to a writer thread.
 */
export interface EventRow
  extends IndexedFields,
    Pick<ProcessedEvent, 'id' | 'tenantId' | 'tenantName' | 'contentType' | 'time' | 'description'> {
  idKey: number;
  searchText: string;
  /** The ECS document as the sinks received it when the pipeline made that text, else serialized here. */
  ecsJson: string;
  /** The raw record as received when the source kept its text, else serialized here. */
  rawJson: string;
}

export function eventRowOf(event: ProcessedEvent): EventRow {
  const fields = indexedFields(event);
  return {
    id: event.id,
    idKey: eventIdKey(event.id),
    tenantId: event.tenantId,
    tenantName: event.tenantName,
    contentType: event.contentType,
    time: event.time,
    ...fields,
    description: event.description,
    searchText: searchTextOf(event, [fields.user, fields.sourceIp]),
    ecsJson: event.ecsText ?? JSON.stringify(event.ecs),
    rawJson: event.rawText ?? JSON.stringify(event.raw),
  };
}

/** Everything that writes to the SQLite store, on one connection: one batch per transaction. */
export interface EventWrites {
  /** Stores a batch; an id already stored (or met earlier in the batch) is dropped. Returns how many were new. */
  insertEvents(rows: readonly EventRow[], now: number): number;
  /** Stores alerts and their event links; a known id is replaced by the newer version. Returns how many were new. */
  insertAlerts(alerts: readonly Alert[]): number;
  applyRetention(now: number): RetentionResult;
}

/** Events per compressed block: large enough to compress well, small enough to decode fast and free early. */
const BLOCK_EVENTS = 256;

export function createEventWrites(db: Database.Database, limits: RetentionLimits): EventWrites {
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
  const selectAlert = db.prepare('SELECT 1 FROM alerts WHERE id = ?');

  const insertEvents = db.transaction((rows: readonly EventRow[], now: number): number => {
    const streams = new Map<string, StreamCount>();
    const minutes = new Map<string, { minute: number; tenantId: string; events: number; failures: number }>();
    let block = nextBlock.get() as number;
    let entries: EventRow[] = [];
    let inserted = 0;
    // Ids already stored or met earlier in the batch are dropped: a batch delivered again after a crash adds nothing.
    const skip = new Set(selectStoredIds.all(JSON.stringify(rows.map((r) => r.idKey))));
    const flush = () => {
      if (entries.length === 0) return;
      insertBlock.run(block, entries.length, encodeBlock(entries));
      inserted += entries.length;
      block++;
      entries = [];
    };
    for (const row of rows) {
      if (skip.has(row.id)) continue;
      skip.add(row.id);
      if (entries.length === BLOCK_EVENTS) flush();
      const result = insertEvent.run(
        row.id,
        row.idKey,
        row.tenantId,
        row.tenantName,
        row.contentType,
        row.time,
        now,
        row.user,
        row.sourceIp,
        row.action,
        row.workload,
        row.outcome,
        row.category,
        row.country,
        row.description,
        block,
        entries.length,
      );
      entries.push(row);
      insertFts.run(result.lastInsertRowid, row.searchText);
      countStreamEvent(streams, row);
      // Truncated like SQLite's integer division in the delete trigger.
      const minute = Math.trunc(row.time / 60_000);
      const minuteKey = `${minute}\u0000${row.tenantId}`;
      let counts = minutes.get(minuteKey);
      if (!counts) {
        counts = { minute, tenantId: row.tenantId, events: 0, failures: 0 };
        minutes.set(minuteKey, counts);
      }
      counts.events++;
      if (row.outcome?.toLowerCase() === 'failure') counts.failures++;
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

  const insertAlerts = db.transaction((alerts: readonly Alert[]): number => {
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

  return {
    insertEvents: (rows, now) => (rows.length === 0 ? 0 : insertEvents(rows, now)),
    insertAlerts: (alerts) => (alerts.length === 0 ? 0 : insertAlerts(alerts)),
    applyRetention: (now) => applyRetention(db, limits, now),
  };
}
