import type pg from 'pg';
import { bucketExpired, bucketOf, dedupKeyOf } from '../dedup-key.ts';
import { inTransaction } from './transaction.ts';

/** Arbitrary constant for pg_advisory_xact_lock, so concurrent workers create or drop a day partition one at a time. */
const PARTITION_LOCK = 0x0365_5eed;

const partitionOf = (day: number): string => `o365_seen_ids_${day}`;

/** Ids of one tenant number, as 32-hex-digit strings PostgreSQL reads as uuid. */
export interface PreparedIds {
  day: number;
  rows: { tenantNo: number; ids: string[] }[];
}

const UNDEFINED_TABLE = '42P01';

/**
 * Delivered event ids of the PostgreSQL state store, for dedup: `o365_seen_ids` is partitioned by UTC day of expiry
 * (one partition a day, primary key tenant number + uuid), so expiry drops whole partitions. Ids are shared by every
 * worker. A database from before (schema 1) still has the text-keyed `o365_seen_events`: read and pruned row by row until
 * it is empty, then dropped.
 */
export class PgSeenIds {
  readonly #pool: pg.Pool;
  readonly #tenants = new Map<string, number>();
  readonly #days = new Set<number>();
  #legacy: boolean;

  private constructor(pool: pg.Pool, legacy: boolean) {
    this.#pool = pool;
    this.#legacy = legacy;
  }

  static async open(pool: pg.Pool): Promise<PgSeenIds> {
    const { rows } = await pool.query<{ legacy: boolean }>(`SELECT to_regclass('o365_seen_events') IS NOT NULL AS legacy`);
    return new PgSeenIds(pool, rows[0]?.legacy === true);
  }

  /** The subset of `eventIds` remembered (by any worker). */
  async filter(eventIds: readonly string[]): Promise<Set<string>> {
    const seen = new Set<string>();
    if (eventIds.length === 0) return seen;
    const byTenant = new Map<string, { keys: string[]; ids: string[] }>();
    for (const eventId of eventIds) {
      const key = dedupKeyOf(eventId);
      let group = byTenant.get(key.tenant);
      if (!group) {
        group = { keys: [], ids: [] };
        byTenant.set(key.tenant, group);
      }
      group.keys.push(key.id.toString('hex'));
      group.ids.push(eventId);
    }
    for (const [tenant, group] of byTenant) {
      const tenantNo = await this.#knownTenantNo(tenant);
      if (tenantNo === undefined) continue;
      const { rows } = await this.#pool.query<{ id: string }>(
        `SELECT replace(id::text, '-', '') AS id FROM o365_seen_ids WHERE tenant_no = $1 AND id = ANY($2::uuid[])`,
        [tenantNo, group.keys],
      );
      if (rows.length === 0) continue;
      const found = new Set(rows.map((r) => r.id));
      group.keys.forEach((k, i) => {
        if (found.has(k)) seen.add(group.ids[i] as string);
      });
    }
    if (this.#legacy) await this.#filterLegacy(eventIds, seen);
    return seen;
  }

  async #filterLegacy(eventIds: readonly string[], seen: Set<string>): Promise<void> {
    try {
      const { rows } = await this.#pool.query<{ id: string }>('SELECT id FROM o365_seen_events WHERE id = ANY($1::text[])', [
        eventIds,
      ]);
      for (const row of rows) seen.add(row.id);
    } catch (err) {
      // Another worker dropped the emptied table.
      if ((err as { code?: string }).code !== UNDEFINED_TABLE) throw err;
      this.#legacy = false;
    }
  }

  async #knownTenantNo(tenant: string): Promise<number | undefined> {
    const known = this.#tenants.get(tenant);
    if (known !== undefined) return known;
    const { rows } = await this.#pool.query<{ tenant_no: number }>(
      'SELECT tenant_no FROM o365_dedup_tenants WHERE tenant_id = $1',
      [tenant],
    );
    if (rows[0]) this.#tenants.set(tenant, rows[0].tenant_no);
    return rows[0]?.tenant_no;
  }

  async #tenantNo(tenant: string): Promise<number> {
    const known = await this.#knownTenantNo(tenant);
    if (known !== undefined) return known;
    await this.#pool.query('INSERT INTO o365_dedup_tenants (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
    const tenantNo = await this.#knownTenantNo(tenant);
    if (tenantNo === undefined) throw new Error(`cannot number tenant ${tenant} for dedup`);
    return tenantNo;
  }

  /**
   * Numbers the tenants and creates the day's partition, each committed on its own, so nothing here is undone with a
   * failed commit while this process still believes it. Call before the commit's transaction.
   */
  async prepare(eventIds: readonly string[], until: number): Promise<PreparedIds> {
    const day = bucketOf(until);
    if (eventIds.length === 0) return { day, rows: [] };
    const byTenant = new Map<string, string[]>();
    for (const eventId of eventIds) {
      const key = dedupKeyOf(eventId);
      let ids = byTenant.get(key.tenant);
      if (!ids) {
        ids = [];
        byTenant.set(key.tenant, ids);
      }
      ids.push(key.id.toString('hex'));
    }
    if (!this.#days.has(day)) {
      await this.#locked((c) =>
        c.query(
          `CREATE TABLE IF NOT EXISTS ${partitionOf(day)} PARTITION OF o365_seen_ids (PRIMARY KEY (tenant_no, id)) FOR VALUES IN (${day})`,
        ),
      );
      this.#days.add(day);
    }
    const rows: PreparedIds['rows'] = [];
    for (const [tenant, ids] of byTenant) rows.push({ tenantNo: await this.#tenantNo(tenant), ids });
    return { day, rows };
  }

  /** Inserts prepared ids with the commit's client (inside its transaction). */
  async insert(client: pg.PoolClient, prepared: PreparedIds): Promise<void> {
    for (const { tenantNo, ids } of prepared.rows) {
      await client.query(
        `INSERT INTO ${partitionOf(prepared.day)} (day, tenant_no, id) SELECT $1, $2, unnest($3::uuid[])
         ON CONFLICT (tenant_no, id) DO NOTHING`,
        [prepared.day, tenantNo, ids],
      );
    }
  }

  /** Drops the partitions of days that have passed (and the legacy table's expired rows); returns the ids forgotten. */
  async prune(now: number): Promise<number> {
    const { forgotten, legacyGone } = await this.#locked(async (c) => {
      const { rows } = await c.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'o365_seen_ids'::regclass`,
      );
      let forgotten = 0;
      for (const { name } of rows) {
        const day = Number(/^o365_seen_ids_(\d+)$/.exec(name)?.[1]);
        if (!Number.isInteger(day) || !bucketExpired(day, now)) continue;
        const counted = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${partitionOf(day)}`);
        forgotten += counted.rows[0]?.n ?? 0;
        await c.query(`DROP TABLE ${partitionOf(day)}`);
        this.#days.delete(day);
      }
      if (!this.#legacy) return { forgotten, legacyGone: false };
      const legacy = await c.query<{ legacy: boolean }>(`SELECT to_regclass('o365_seen_events') IS NOT NULL AS legacy`);
      if (legacy.rows[0]?.legacy !== true) return { forgotten, legacyGone: true };
      forgotten += (await c.query('DELETE FROM o365_seen_events WHERE expires_at <= $1', [now])).rowCount ?? 0;
      if ((await c.query('SELECT 1 FROM o365_seen_events LIMIT 1')).rowCount !== 0) return { forgotten, legacyGone: false };
      await c.query('DROP TABLE o365_seen_events');
      return { forgotten, legacyGone: true };
    });
    if (legacyGone) this.#legacy = false;
    return forgotten;
  }

  #locked<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
      return fn(client);
    });
  }
}
