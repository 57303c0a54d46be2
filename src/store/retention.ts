import type { Database } from 'better-sqlite3';
import type { RetentionResult } from './types.ts';

/** What bounds the store: age, row count and file size. */
export interface RetentionLimits {
  retentionMs: number;
  maxEvents: number;
  maxSizeBytes: number;
}

const BATCH = 5000;

/** Blocks of documents no event points at any more (the delete trigger counts them down). */
const DELETE_DEAD_BLOCKS = 'DELETE FROM event_blocks WHERE live <= 0';
const MAX_BATCHES = 10_000;
const MAX_SIZE_ROUNDS = 50;

/** Deletes events older than `cutoff` in bounded batches, so writers are never blocked for long. */
function deleteOlderThan(db: Database, cutoff: number): number {
  const del = db.prepare(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE time < ? LIMIT ${BATCH})`);
  const dead = db.prepare(DELETE_DEAD_BLOCKS);
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const changes = db.transaction(() => {
      const n = del.run(cutoff).changes;
      dead.run();
      return n;
    })();
    total += changes;
    if (changes < BATCH) break;
  }
  return total;
}

/** Deletes the `count` oldest events in bounded batches. */
function deleteOldest(db: Database, count: number): number {
  const del = db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events ORDER BY time, seq LIMIT ?)');
  const dead = db.prepare(DELETE_DEAD_BLOCKS);
  let total = 0;
  for (let i = 0; i < MAX_BATCHES && total < count; i++) {
    const changes = db.transaction(() => {
      const n = del.run(Math.min(BATCH, count - total)).changes;
      dead.run();
      return n;
    })();
    if (changes === 0) break;
    total += changes;
  }
  return total;
}

function fileSize(db: Database): number {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return (pages - free) * pageSize;
}

export function applyRetention(db: Database, limits: RetentionLimits, now: number): RetentionResult {
  const cutoff = now - limits.retentionMs;
  let deletedEvents = deleteOlderThan(db, cutoff);

  // max(seq) - min(seq) + 1 bounds the row count from above in two index lookups; the exact count (a scan of
  // millions of rows on the collecting thread) is only taken when the bound passes the cap.
  const bound = db.prepare('SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM events').pluck().get() as number;
  const count = bound > limits.maxEvents ? (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n : 0;
  if (count > limits.maxEvents) {
    deletedEvents += deleteOldest(db, count - limits.maxEvents);
  }

  for (let round = 0; round < MAX_SIZE_ROUNDS && fileSize(db) > limits.maxSizeBytes; round++) {
    const left = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    if (left === 0) break;
    const drop = Math.max(1, Math.ceil(left * 0.05));
    deletedEvents += deleteOldest(db, drop);
  }

  const deletedAlerts = db.transaction(() => db.prepare('DELETE FROM alerts WHERE time < ?').run(cutoff).changes)();
  db.prepare('DELETE FROM stream_minutes WHERE minute < ?').run(Math.floor((now - 86_400_000) / 60_000));
  db.pragma('incremental_vacuum');
  return { deletedEvents, deletedAlerts };
}
