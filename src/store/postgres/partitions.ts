import type pg from 'pg';
import { inTransaction } from '../../state/postgres/transaction.ts';

/** pg_advisory_xact_lock key: workers create and drop day partitions one at a time. */
const PARTITION_LOCK = 0x0365_e7e2;
const DAY_MS = 86_400_000;
/** Days after today whose partitions are created in advance (inserts at midnight never wait for DDL). */
const DAYS_AHEAD = 2;

/** UTC day number of an epoch-ms time (day 0 = 1970-01-01). */
export const dayOf = (time: number): number => Math.floor(time / DAY_MS);

/** `o365_events_20261124`: the name says the day, so a listing of the catalog is enough to know what to drop. */
export function partitionName(day: number): string {
  return `o365_events_${new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

const NAME = /^o365_events_(\d{4})(\d{2})(\d{2})$/;

function dayOfName(name: string): number | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isFinite(time) ? dayOf(time) : undefined;
}

interface Partition {
  name: string;
  day: number;
  /** Table + indexes + TOAST, bytes. */
  bytes: number;
}

const locked = <T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
  inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK]);
    return fn(client);
  });

/** The day partitions of o365_events, oldest first, with their size. */
async function listPartitions(db: pg.Pool | pg.PoolClient): Promise<Partition[]> {
  const { rows } = await db.query<{ name: string; bytes: number }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'o365_events'::regclass`,
  );
  return rows
    .flatMap((r) => {
      const day = dayOfName(r.name);
      return day === undefined ? [] : [{ name: r.name, day, bytes: r.bytes }];
    })
    .sort((a, b) => a.day - b.day);
}

/**
 * The day partitions this process knows exist. `ensure` creates the missing ones (each in its own committed
 * transaction, before the insert that needs it); a partition dropped by another worker's retention is created again
 * after `forget`.
 */
export class DayPartitions {
  readonly #pool: pg.Pool;
  readonly #known = new Set<number>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async ensure(days: Iterable<number>): Promise<void> {
    const missing = [...new Set(days)].filter((day) => !this.#known.has(day));
    if (missing.length === 0) return;
    await locked(this.#pool, async (client) => {
      for (const day of missing) {
        // Names and bounds come from integers computed here, never from input: safe to write into the DDL.
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF o365_events
           FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`,
        );
      }
    });
    for (const day of missing) this.#known.add(day);
  }

  /** Today's partition and the next DAYS_AHEAD days'. */
  ensureAhead(now: number): Promise<void> {
    const today = dayOf(now);
    return this.ensure(Array.from({ length: DAYS_AHEAD + 1 }, (_, i) => today + i));
  }

  forget(): void {
    this.#known.clear();
  }

  /**
   * Drops partitions, oldest first: every day that ended before `cutoff`, then more old days while the events stored
   * exceed `maxEvents` or the partitions' size exceeds `maxBytes` (the newest day is always kept).
   * Returns what was dropped and how many events each held.
   */
  async dropOld(cutoff: number, maxEvents: number, maxBytes: number): Promise<{ name: string; events: number }[]> {
    return locked(this.#pool, async (client) => {
      // Dropping a partition waits for searches reading it; past this, retention gives up until its next run
      // rather than queue every insert and search behind its lock.
      await client.query(`SET LOCAL lock_timeout = '10s'`);
      const partitions = await listPartitions(client);
      const counts = await client.query<{ day: number; events: number }>('SELECT day, events FROM o365_event_days');
      const eventsOf = new Map(counts.rows.map((r) => [r.day, r.events]));
      let events = partitions.reduce((n, p) => n + (eventsOf.get(p.day) ?? 0), 0);
      let bytes = partitions.reduce((n, p) => n + p.bytes, 0);
      const dropped: { name: string; events: number }[] = [];
      for (const [i, partition] of partitions.entries()) {
        const expired = (partition.day + 1) * DAY_MS <= cutoff;
        const overCap = i < partitions.length - 1 && (events > maxEvents || bytes > maxBytes);
        if (!expired && !overCap) break;
        await client.query(`DROP TABLE IF EXISTS ${partition.name}`);
        await client.query('DELETE FROM o365_event_days WHERE day = $1', [partition.day]);
        const held = eventsOf.get(partition.day) ?? 0;
        dropped.push({ name: partition.name, events: held });
        events -= held;
        bytes -= partition.bytes;
        this.#known.delete(partition.day);
      }
      return dropped;
    });
  }
}
