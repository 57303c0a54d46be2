import type pg from 'pg';
import type { StreamKey } from '../state-store.ts';

/** A stream leased by this worker; `version` is the fencing token every write is checked against. */
export interface Lease {
  key: StreamKey;
  tenantName: string;
  version: number;
}

export interface LeaseChanges {
  acquired: Lease[];
  /** Leases that were taken over by another worker (this worker stalled past the expiry). */
  lost: Lease[];
  held: Lease[];
  /** How many held leases exceed the fair share: the caller should stop work on that many and `release` them. */
  excess: number;
}

export interface LeaseManagerOptions {
  workerId: string;
  nodeId: string;
  /** A lease not renewed for this long expires and can be taken by another worker. */
  ttlMs: number;
}

const keyOf = (key: StreamKey): string => `${key.tenantId}\n${key.contentType}`;

interface LeaseRow {
  tenant_id: string;
  content_type: string;
  tenant_name: string;
  lease_version: number;
}

const toLease = (row: LeaseRow): Lease => ({
  key: { tenantId: row.tenant_id, contentType: row.content_type },
  tenantName: row.tenant_name,
  version: Number(row.lease_version),
});

/**
 * Shares the streams (tenant × content type) among the live workers: each stream is leased by at most one worker,
 * claimed with `FOR UPDATE SKIP LOCKED`, renewed by `tick()`, and expiring after `ttlMs` without renewal so
 * another worker takes it over when its owner dies. Each worker takes at most its fair share
 * (⌈streams / live workers⌉), and gives back what exceeds it when workers join.
 * Times come from the database clock, so worker clocks need not agree.
 */
export class LeaseManager {
  readonly #pool: pg.Pool;
  readonly #options: LeaseManagerOptions;
  readonly #held = new Map<string, Lease>();

  constructor(pool: pg.Pool, options: LeaseManagerOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  get workerId(): string {
    return this.#options.workerId;
  }

  get nodeId(): string {
    return this.#options.nodeId;
  }

  get ttlMs(): number {
    return this.#options.ttlMs;
  }

  held(): Lease[] {
    return [...this.#held.values()];
  }

  /** The fencing token of a stream this worker holds, or undefined. */
  versionOf(key: StreamKey): number | undefined {
    return this.#held.get(keyOf(key))?.version;
  }

  /** Forgets a lease found lost by a rejected write. */
  forget(key: StreamKey): void {
    this.#held.delete(keyOf(key));
  }

  /**
   * One heartbeat: renews the held leases (those taken over are reported lost), then claims free or expired
   * streams up to the fair share. It never waits for work to stop: leases above the share are reported as
   * `excess`, for the caller to stop their work and `release` them, while this keeps renewing them meanwhile.
   */
  async tick(): Promise<LeaseChanges> {
    const ttlSeconds = this.#options.ttlMs / 1000;
    await this.join();
    const lost = await this.#renew(ttlSeconds);
    const { rows: counts } = await this.#pool.query<{ streams: number; workers: number }>(
      `SELECT (SELECT count(*) FROM o365_streams)::int AS streams,
              (SELECT count(*) FROM o365_workers WHERE seen_at > now() - make_interval(secs => $1))::int AS workers`,
      [ttlSeconds],
    );
    const streams = counts[0]?.streams ?? 0;
    const share = Math.ceil(streams / Math.max(1, counts[0]?.workers ?? 1));
    const acquired = await this.#acquire(share - this.#held.size, ttlSeconds);
    await this.#pool.query(`DELETE FROM o365_workers WHERE seen_at < now() - make_interval(secs => $1)`, [ttlSeconds * 10]);
    return { acquired, lost, held: this.held(), excess: Math.max(0, this.#held.size - share) };
  }

  /** Picks `count` held leases to give back, whole tenants first (the last in key order), so a tenant stays on one worker. */
  pickExcess(count: number): Lease[] {
    if (count <= 0) return [];
    const byTenant = new Map<string, Lease[]>();
    for (const lease of this.held().sort((a, b) => keyOf(b.key).localeCompare(keyOf(a.key)))) {
      byTenant.set(lease.key.tenantId, [...(byTenant.get(lease.key.tenantId) ?? []), lease]);
    }
    const chosen: Lease[] = [];
    for (const leases of byTenant.values()) {
      if (chosen.length + leases.length > count) continue;
      chosen.push(...leases);
      if (chosen.length === count) break;
    }
    return chosen;
  }

  /**
   * Announces this worker as live without claiming anything. Workers starting together should join, wait one
   * heartbeat, then tick: each then sees the others and claims only its share (no grab-all-then-give-back).
   */
  async join(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO o365_workers (worker_id, node_id, seen_at) VALUES ($1, $2, now())
       ON CONFLICT (worker_id) DO UPDATE SET seen_at = now(), node_id = excluded.node_id`,
      [this.#options.workerId, this.#options.nodeId],
    );
  }

  /** Other workers announced under this worker's node id and seen within the lease TTL. */
  async liveWorkersOnNode(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ worker_id: string }>(
      `SELECT worker_id FROM o365_workers WHERE node_id = $1 AND worker_id <> $2 AND seen_at > now() - make_interval(secs => $3) ORDER BY 1`,
      [this.nodeId, this.workerId, this.ttlMs / 1000],
    );
    return rows.map((row) => row.worker_id);
  }

  async #renew(ttlSeconds: number): Promise<Lease[]> {
    if (this.#held.size === 0) return [];
    const held = this.held();
    const { rows } = await this.#pool.query<LeaseRow>(
      `UPDATE o365_streams s SET lease_until = now() + make_interval(secs => $2)
       FROM unnest($3::text[], $4::text[], $5::bigint[]) AS h(tenant_id, content_type, version)
       WHERE s.tenant_id = h.tenant_id AND s.content_type = h.content_type AND s.lease_version = h.version AND s.lease_owner = $1
       RETURNING s.tenant_id, s.content_type, s.tenant_name, s.lease_version`,
      [
        this.workerId,
        ttlSeconds,
        held.map((l) => l.key.tenantId),
        held.map((l) => l.key.contentType),
        held.map((l) => l.version),
      ],
    );
    const renewed = new Set(rows.map((row) => keyOf({ tenantId: row.tenant_id, contentType: row.content_type })));
    const lost = held.filter((lease) => !renewed.has(keyOf(lease.key)));
    for (const lease of lost) this.#held.delete(keyOf(lease.key));
    return lost;
  }

  async #acquire(wanted: number, ttlSeconds: number): Promise<Lease[]> {
    if (wanted <= 0) return [];
    // Whole tenants only (every stream of a tenant on one worker, so its correlations see all its content types):
    // tenants none of whose streams another worker holds, in order, up to the wanted number of streams (at least one
    // tenant); a tenant another worker is claiming at the same moment is skipped whole (advisory lock per tenant).
    const { rows } = await this.#pool.query<LeaseRow>(
      `WITH free AS (
         SELECT tenant_id, count(*) FILTER (WHERE lease_owner IS DISTINCT FROM $1 OR lease_until < now()) AS n
         FROM o365_streams
         GROUP BY tenant_id
         HAVING bool_and(lease_owner IS NULL OR lease_until < now() OR lease_owner = $1)
            AND count(*) FILTER (WHERE lease_owner IS DISTINCT FROM $1 OR lease_until < now()) > 0),
       ranked AS (SELECT tenant_id, sum(n) OVER (ORDER BY tenant_id) AS running FROM free),
       chosen AS (SELECT tenant_id FROM ranked WHERE running <= $3 OR running = (SELECT min(running) FROM ranked)),
       candidates AS (
         SELECT s.tenant_id, s.content_type FROM o365_streams s JOIN chosen c ON c.tenant_id = s.tenant_id
         WHERE (s.lease_owner IS DISTINCT FROM $1 OR s.lease_until < now())
           AND pg_try_advisory_xact_lock(hashtext('o365-intake tenant ' || s.tenant_id))
         ORDER BY s.tenant_id, s.content_type
         FOR UPDATE SKIP LOCKED)
       UPDATE o365_streams s
       SET lease_owner = $1, lease_until = now() + make_interval(secs => $2), lease_version = s.lease_version + 1
       FROM candidates c
       WHERE s.tenant_id = c.tenant_id AND s.content_type = c.content_type
       RETURNING s.tenant_id, s.content_type, s.tenant_name, s.lease_version`,
      [this.workerId, ttlSeconds, wanted],
    );
    const acquired = rows.map(toLease);
    for (const lease of acquired) this.#held.set(keyOf(lease.key), lease);
    return acquired;
  }

  /** Gives leases back at once (no waiting for the expiry), e.g. on shutdown. */
  async release(leases: readonly Lease[]): Promise<void> {
    if (leases.length === 0) return;
    await this.#pool.query(
      `UPDATE o365_streams s SET lease_owner = NULL, lease_until = NULL
       FROM unnest($2::text[], $3::text[], $4::bigint[]) AS h(tenant_id, content_type, version)
       WHERE s.tenant_id = h.tenant_id AND s.content_type = h.content_type AND s.lease_version = h.version AND s.lease_owner = $1`,
      [this.workerId, leases.map((l) => l.key.tenantId), leases.map((l) => l.key.contentType), leases.map((l) => l.version)],
    );
    for (const lease of leases) this.#held.delete(keyOf(lease.key));
  }

  /** Releases every lease and leaves the worker list (clean shutdown). */
  async releaseAll(): Promise<void> {
    await this.release(this.held());
    await this.#pool.query('DELETE FROM o365_workers WHERE worker_id = $1', [this.workerId]);
  }
}
