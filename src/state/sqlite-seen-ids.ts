import type Database from 'better-sqlite3';
import { bucketExpired, bucketOf, type DedupKey, dedupKeyOf } from './dedup-key.ts';

/** Ids are looked up in chunks below SQLite's bound-parameter limit. */
const LOOKUP_CHUNK = 500;
/** Rows per multi-row INSERT. */
const INSERT_CHUNK = 200;
/** Staged ids merged into `seen_recent` once this many wait (~4 MB of memory for the in-memory index). */
export const STAGE_MAX = 50_000;
/** `seen_recent` is merged into the day tables once it holds 1/RECENT_SHARE of their ids (and at least STAGE_MAX). */
const RECENT_SHARE = 8;

/** A day's ids grouped by the store's tenant number, each group sorted, ready to insert in the commit's transaction. */
export interface PreparedDay {
  day: number;
  rows: { tenantNo: number; ids: Buffer[] }[];
}

const tableOf = (day: number): string => `seen_ids_${day}`;

/**
 * Delivered event ids of the SQLite state store, for dedup. One WITHOUT ROWID table per UTC day of expiry
 * (`seen_ids_<day>`, key: tenant number + 16-byte id, ~23 bytes a row), so expiry is a DROP TABLE of whole past days.
 * The `seen_buckets` table lists the days and their row counts. A state file from before (schema 1) still has the
 * text-keyed `seen_events` table: it is read as well, and pruned row by row, until its last id expired.
 *
 * Ids reach the day tables in three steps, so that no step rewrites a big table for a few ids (random 16-byte keys:
 * merging k sorted ids into a table of n rows dirties min(k, pages) of its pages, so a fixed-size merge into a growing
 * table costs more per id as the table grows):
 * 1. a commit appends its ids to `seen_stage` (a rowid table, so an append dirties its last pages only), indexed in memory;
 * 2. every STAGE_MAX staged ids they are merged, sorted, into `seen_recent` (keyed like the day tables, at most an
 *    eighth of their size, so this merge costs per id what it cost when the day tables were small);
 * 3. once `seen_recent` and the stage hold an eighth of the day tables' ids (at least STAGE_MAX) both are merged,
 *    sorted, into their days' tables and emptied: each such merge rewrites the day tables once for an eighth of their
 *    size in new ids, so the cost per id stays the same however big the tables grow (while the day tables are below
 *    8 × STAGE_MAX ids every merge goes straight to them, as `seen_recent` would not save anything).
 * A lookup reads the in-memory stage, then `seen_recent` and each day table. Before a day is dropped every step is
 * merged, so its table holds all its ids.
 */
export class SqliteSeenIds {
  readonly #db: Database.Database;
  readonly #tenants = new Map<string, number>();
  /** Live days, newest first. */
  #days: number[];
  #legacy: boolean;
  readonly #statements = new Map<string, Database.Statement>();
  /** The staged ids (committed, not yet merged), by tenant number, each as its 16 bytes read as latin1. */
  readonly #staged = new Map<number, Set<string>>();
  #stagedCount = 0;
  /** Days that have staged ids. */
  readonly #stagedDays = new Set<number>();
  /** Rows of `seen_recent`, and the days they belong to. */
  #recentIds: number;
  readonly #recentDays = new Set<number>();
  /** Rows of the day tables (the sum of `seen_buckets.ids`). */
  #dayIds: number;
  /** Keys computed by the last `filter`, reused by the `prepare` of the commit that follows it. */
  #lastKeys = new Map<string, DedupKey>();

  constructor(db: Database.Database) {
    this.#db = db;
    for (const row of db.prepare('SELECT tenant_no, tenant_id FROM dedup_tenants').all() as {
      tenant_no: number;
      tenant_id: string;
    }[])
      this.#tenants.set(row.tenant_id, row.tenant_no);
    this.#days = (db.prepare('SELECT day FROM seen_buckets ORDER BY day DESC').all() as { day: number }[]).map((r) => r.day);
    this.#legacy = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen_events'`).get() !== undefined;
    for (const row of db.prepare('SELECT day, tenant_no, id FROM seen_stage').all() as {
      day: number;
      tenant_no: number;
      id: Buffer;
    }[]) {
      this.#stage(row.tenant_no, row.id);
      this.#stagedDays.add(row.day);
    }
    for (const day of db.prepare('SELECT DISTINCT day FROM seen_recent').pluck().all() as number[]) this.#recentDays.add(day);
    this.#recentIds = db.prepare('SELECT count(*) FROM seen_recent').pluck().get() as number;
    this.#dayIds = db.prepare('SELECT coalesce(sum(ids), 0) FROM seen_buckets').pluck().get() as number;
  }

  #stage(tenantNo: number, id: Buffer): void {
    let ids = this.#staged.get(tenantNo);
    if (!ids) {
      ids = new Set();
      this.#staged.set(tenantNo, ids);
    }
    const before = ids.size;
    ids.add(id.toString('latin1'));
    this.#stagedCount += ids.size - before;
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** The subset of `eventIds` remembered. */
  filter(eventIds: readonly string[]): Set<string> {
    const seen = new Set<string>();
    if (eventIds.length === 0) return seen;
    if (this.#dayIds > 0 || this.#stagedCount > 0 || this.#recentIds > 0) this.#filterBuckets(eventIds, seen);
    if (this.#legacy) this.#filterLegacy(eventIds, seen);
    return seen;
  }

  #filterBuckets(eventIds: readonly string[], seen: Set<string>): void {
    const byTenant = new Map<number, { keys: Buffer[]; ids: string[] }>();
    this.#lastKeys = new Map();
    for (const eventId of eventIds) {
      const key = dedupKeyOf(eventId);
      this.#lastKeys.set(eventId, key);
      const tenantNo = this.#tenants.get(key.tenant);
      if (tenantNo === undefined) continue;
      if (this.#staged.get(tenantNo)?.has(key.id.toString('latin1'))) {
        seen.add(eventId);
        continue;
      }
      let group = byTenant.get(tenantNo);
      if (!group) {
        group = { keys: [], ids: [] };
        byTenant.set(tenantNo, group);
      }
      group.keys.push(key.id);
      group.ids.push(eventId);
    }
    // Only tables that hold ids: the day tables stay empty until the first merge into them (STAGE_MAX ids).
    const tables = this.#dayIds > 0 ? this.#days.map(tableOf) : [];
    if (this.#recentIds > 0) tables.unshift('seen_recent');
    if (tables.length === 0) return;
    for (const [tenantNo, group] of byTenant) {
      for (let i = 0; i < group.keys.length; i += LOOKUP_CHUNK) {
        const keys = group.keys.slice(i, i + LOOKUP_CHUNK);
        const found = new Set<string>();
        for (const table of tables) {
          const rows = this.#statement(`SELECT id FROM ${table} WHERE tenant_no = ? AND id IN (${keys.map(() => '?').join(',')})`)
            .pluck()
            .all(tenantNo, ...keys) as Buffer[];
          for (const id of rows) found.add(id.toString('latin1'));
        }
        if (found.size === 0) continue;
        keys.forEach((key, j) => {
          if (found.has(key.toString('latin1'))) seen.add(group.ids[i + j] as string);
        });
      }
    }
  }

  #filterLegacy(eventIds: readonly string[], seen: Set<string>): void {
    for (let i = 0; i < eventIds.length; i += LOOKUP_CHUNK) {
      const chunk = eventIds.slice(i, i + LOOKUP_CHUNK);
      const rows = this.#statement(`SELECT id FROM seen_events WHERE id IN (${chunk.map(() => '?').join(',')})`)
        .pluck()
        .all(...chunk) as string[];
      for (const id of rows) seen.add(id);
    }
  }

  /**
   * Groups the ids of a commit's batches by day of expiry and tenant, sorted (a sorted bulk insert walks the day's
   * B-tree in order, so neighbouring ids share the pages it dirties). Numbers the tenants and creates the days'
   * tables, each in its own short transaction, so that nothing here is undone with a failed commit while the
   * in-memory caches still believe it. Call outside the commit's transaction.
   */
  prepare(batches: readonly { eventIds: readonly string[]; seenUntil: number }[]): PreparedDay[] {
    const days = new Map<number, Map<number, Buffer[]>>();
    for (const { eventIds, seenUntil } of batches) {
      if (eventIds.length === 0) continue;
      const day = bucketOf(seenUntil);
      let byTenant = days.get(day);
      if (!byTenant) {
        byTenant = new Map();
        days.set(day, byTenant);
      }
      for (const eventId of eventIds) {
        const key: DedupKey = this.#lastKeys.get(eventId) ?? dedupKeyOf(eventId);
        const tenantNo = this.#tenantNo(key.tenant);
        let ids = byTenant.get(tenantNo);
        if (!ids) {
          ids = [];
          byTenant.set(tenantNo, ids);
        }
        ids.push(key.id);
      }
    }
    this.#lastKeys = new Map();
    for (const day of days.keys()) this.#ensureDay(day);
    return [...days].map(([day, byTenant]) => ({
      day,
      rows: [...byTenant].map(([tenantNo, ids]) => ({ tenantNo, ids: ids.sort(Buffer.compare) })),
    }));
  }

  #ensureDay(day: number): void {
    if (this.#days.includes(day)) return;
    this.#db.transaction(() => {
      this.#db.exec(
        `CREATE TABLE IF NOT EXISTS ${tableOf(day)} (tenant_no INTEGER NOT NULL, id BLOB NOT NULL, PRIMARY KEY (tenant_no, id)) WITHOUT ROWID`,
      );
      this.#db.prepare('INSERT OR IGNORE INTO seen_buckets (day, ids) VALUES (?, 0)').run(day);
    })();
    this.#days = [...this.#days, day].sort((a, b) => b - a);
  }

  #tenantNo(tenant: string): number {
    const known = this.#tenants.get(tenant);
    if (known !== undefined) return known;
    this.#db.prepare('INSERT OR IGNORE INTO dedup_tenants (tenant_id) VALUES (?)').run(tenant);
    const tenantNo = this.#db.prepare('SELECT tenant_no FROM dedup_tenants WHERE tenant_id = ?').pluck().get(tenant) as number;
    this.#tenants.set(tenant, tenantNo);
    return tenantNo;
  }

  /** Stages prepared ids; runs inside the commit's transaction. Call `committed` once that transaction committed. */
  insert(prepared: readonly PreparedDay[]): void {
    for (const { day, rows } of prepared) {
      for (const { tenantNo, ids } of rows) {
        for (let i = 0; i < ids.length; i += INSERT_CHUNK) {
          const chunk = ids.slice(i, i + INSERT_CHUNK);
          const values: (number | Buffer)[] = [];
          for (const id of chunk) values.push(day, tenantNo, id);
          this.#statement(`INSERT INTO seen_stage (day, tenant_no, id) VALUES ${chunk.map(() => '(?, ?, ?)').join(',')}`).run(
            ...values,
          );
        }
      }
    }
  }

  /** The commit that staged `prepared` committed: its ids are seen from now on; merges the stage once it is full. */
  committed(prepared: readonly PreparedDay[]): void {
    for (const { day, rows } of prepared) {
      this.#stagedDays.add(day);
      for (const { tenantNo, ids } of rows) for (const id of ids) this.#stage(tenantNo, id);
    }
    if (this.#stagedCount < STAGE_MAX) return;
    try {
      this.merge();
    } catch {
      // The commit itself stands; the ids stay staged (still seen) and the next commit merges them.
    }
  }

  /**
   * Moves the staged ids into `seen_recent`, sorted; or, once `seen_recent` and the stage together have grown to their
   * share of the day tables (or with `all`), moves both into their days' tables in one sorted insert per day. Empties
   * what it moved, in one transaction: if it fails (disk full), every table stays as it was and the next commit tries again.
   */
  merge(all = false): void {
    if (this.#stagedDays.size === 0 && !(all && this.#recentIds > 0)) return;
    const flush = all || this.#recentIds + this.#stagedCount >= Math.max(STAGE_MAX, this.#dayIds / RECENT_SHARE);
    let recentIds = this.#recentIds;
    let dayIds = this.#dayIds;
    const days = new Set([...this.#recentDays, ...this.#stagedDays]);
    this.#db.transaction(() => {
      if (flush) {
        for (const day of days) {
          const added = this.#db
            .prepare(
              `INSERT OR IGNORE INTO ${tableOf(day)} (tenant_no, id)
               SELECT tenant_no, id FROM seen_recent WHERE day = ? UNION ALL SELECT tenant_no, id FROM seen_stage WHERE day = ?
               ORDER BY 1, 2`,
            )
            .run(day, day).changes;
          if (added > 0) this.#statement('UPDATE seen_buckets SET ids = ids + ? WHERE day = ?').run(added, day);
          dayIds += added;
        }
        this.#statement('DELETE FROM seen_recent').run();
        recentIds = 0;
      } else {
        recentIds += this.#statement(
          'INSERT OR IGNORE INTO seen_recent (tenant_no, id, day) SELECT tenant_no, id, day FROM seen_stage ORDER BY tenant_no, id',
        ).run().changes;
      }
      this.#statement('DELETE FROM seen_stage').run();
    })();
    this.#staged.clear();
    this.#stagedCount = 0;
    this.#stagedDays.clear();
    this.#recentIds = recentIds;
    this.#dayIds = dayIds;
    this.#recentDays.clear();
    if (!flush) for (const day of days) this.#recentDays.add(day);
  }

  /** Drops the days that have passed (and the legacy table's expired rows); returns how many ids were forgotten. */
  prune(now: number): number {
    const expired = this.#days.filter((day) => bucketExpired(day, now));
    if (expired.length > 0) this.merge(true);
    let forgotten = 0;
    this.#db.transaction(() => {
      for (const day of expired) {
        forgotten += (this.#db.prepare('SELECT ids FROM seen_buckets WHERE day = ?').pluck().get(day) as number) ?? 0;
        this.#db.exec(`DROP TABLE IF EXISTS ${tableOf(day)}`);
        this.#db.prepare('DELETE FROM seen_buckets WHERE day = ?').run(day);
      }
      if (this.#legacy) {
        forgotten += this.#db.prepare('DELETE FROM seen_events WHERE expires_at <= ?').run(now).changes;
        if (this.#db.prepare('SELECT 1 FROM seen_events LIMIT 1').get() === undefined) this.#db.exec('DROP TABLE seen_events');
      }
    })();
    if (expired.length > 0) {
      this.#dayIds = this.#db.prepare('SELECT coalesce(sum(ids), 0) FROM seen_buckets').pluck().get() as number;
      this.#days = this.#days.filter((day) => !expired.includes(day));
      for (const sql of [...this.#statements.keys()]) {
        if (expired.some((day) => sql.includes(`${tableOf(day)} `))) this.#statements.delete(sql);
      }
    }
    if (this.#legacy && this.#db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'seen_events'`).get() === undefined) {
      this.#legacy = false;
      for (const sql of [...this.#statements.keys()]) if (sql.includes('seen_events')) this.#statements.delete(sql);
    }
    return forgotten;
  }
}
