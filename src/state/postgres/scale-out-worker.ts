import { setTimeout as sleep } from 'node:timers/promises';
import { createCollector, type Collector, type CollectorOptions } from '../../collector/collector.ts';
import type { CollectionConfig, TenantConfig } from '../../collector/config.ts';
import type { ContentType } from '../../core/content-types.ts';
import { ConfigError } from '../../core/errors.ts';
import type { Delivery } from '../../core/delivery.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Lease } from './lease-manager.ts';
import type { PostgresStateStore } from './postgres-state-store.ts';

export interface ScaleOutWorkerOptions {
  /** Every worker gets the same tenant list; each collects only the streams it leases. */
  config: { tenants: readonly TenantConfig[]; collection: CollectionConfig };
  store: PostgresStateStore;
  delivery: Delivery;
  logger: Logger;
  /** Lease heartbeat period; keep it well under the store's lease TTL (a third of it at most). */
  heartbeatMs: number;
  /** Passed through to the collector (e.g. the emulator's CA). */
  ca?: string;
  tokenProvider?: CollectorOptions['tokenProvider'];
  /** A tenant's leases were taken (before its collector starts): e.g. load its correlation state. */
  onTenantAcquired?: (tenantId: string) => Promise<void>;
  /** A tenant's collector stopped because its leases went elsewhere: e.g. drop its correlation state. */
  onTenantReleased?: (tenantId: string) => Promise<void>;
}

interface RunningTenant {
  contentTypes: string;
  collector: Collector;
}

const typesOf = (leases: readonly Lease[], tenantId: string): string =>
  leases
    .filter((l) => l.key.tenantId === tenantId)
    .map((l) => l.key.contentType)
    .sort()
    .join(',');

/**
 * One collector process of a scale-out deployment: registers every configured stream in PostgreSQL, renews its
 * leases on every heartbeat, and runs one Management API collector per tenant restricted to the content types it
 * leases. Collectors are started and stopped in the background, so a slow stop never delays lease renewal.
 * Leases above the fair share are given back only after their tenant's collector stopped (in-flight batches commit
 * first). A worker that dies stops renewing; its streams expire and move to the others.
 */
export class ScaleOutWorker {
  readonly #o: ScaleOutWorkerOptions;
  readonly #tenants = new Map<string, TenantConfig>();
  readonly #running = new Map<string, RunningTenant>();
  readonly #abort = new AbortController();
  /** Collector starts/stops, one at a time, off the heartbeat path. */
  #changes: Promise<void> = Promise.resolve();
  /** Leases being given back: their tenants are stopped and not restarted. */
  #givingBack: Lease[] = [];
  #loop: Promise<void> | undefined;

  constructor(options: ScaleOutWorkerOptions) {
    this.#o = options;
    for (const tenant of options.config.tenants) if (tenant.enabled) this.#tenants.set(tenant.tenant_id, tenant);
  }

  /** Tenant ids this worker collects right now. */
  get activeTenants(): string[] {
    return [...this.#running.keys()];
  }

  /**
   * Registers the streams, announces the worker, checks no other live worker uses its node id, waits one heartbeat
   * (so workers starting together see each other), then claims.
   */
  async start(): Promise<void> {
    for (const tenant of this.#tenants.values()) {
      for (const contentType of tenant.content_types)
        await this.#o.store.registerStream({ tenantId: tenant.tenant_id, contentType }, tenant.name);
    }
    await this.#o.store.leases.join();
    await this.#ensureOwnNodeId();
    await sleep(this.#o.heartbeatMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
    await this.#heartbeat();
    this.#loop = this.#run();
  }

  /**
   * Sink positions are kept per node id: two live workers sharing one would overwrite each other's, and a restart
   * would roll its sinks back to the other's position (events lost or repeated). So this refuses to run beside
   * another live worker with the same node id. A process restarted after a crash waits (at most one lease TTL and a
   * heartbeat) for its previous incarnation to go stale.
   */
  async #ensureOwnNodeId(): Promise<void> {
    const leases = this.#o.store.leases;
    const deadline = Date.now() + leases.ttlMs + this.#o.heartbeatMs;
    for (;;) {
      const others = await leases.liveWorkersOnNode();
      if (others.length === 0 || this.#abort.signal.aborted) return;
      if (Date.now() >= deadline) {
        await leases.releaseAll();
        throw new ConfigError(
          'scale_out.node_id',
          `"${leases.nodeId}" is also the node id of live worker(s) ${others.join(', ')}; every process needs its own node_id (its sinks' positions are kept under it)`,
        );
      }
      this.#o.logger.warn({ nodeId: leases.nodeId, others }, 'another live worker has this node id; waiting for it to go stale');
      await sleep(Math.min(this.#o.heartbeatMs, 1000), undefined, { signal: this.#abort.signal }).catch(() => undefined);
    }
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      await sleep(this.#o.heartbeatMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      if (this.#abort.signal.aborted) return;
      await this.#heartbeat().catch((err: unknown) => this.#o.logger.error({ err }, 'lease heartbeat failed; retrying'));
    }
  }

  async #heartbeat(): Promise<void> {
    const leases = this.#o.store.leases;
    const changes = await leases.tick();
    if (changes.lost.length > 0)
      this.#o.logger.warn({ streams: changes.lost.map((l) => l.key) }, 'leases lost to another worker');
    if (changes.acquired.length > 0)
      this.#o.logger.info({ acquired: changes.acquired.length, held: changes.held.length }, 'leases acquired');
    if (this.#givingBack.length === 0 && changes.excess > 0) {
      const giveBack = leases.pickExcess(changes.excess);
      this.#givingBack = giveBack;
      this.#enqueue(() => this.#reconcile());
      // Runs after the reconcile above stopped those tenants' collectors.
      this.#enqueue(async () => {
        try {
          await leases.release(giveBack);
          this.#o.logger.info({ released: giveBack.length }, 'leases given back to even the load');
        } finally {
          this.#givingBack = [];
        }
      });
    } else {
      this.#enqueue(() => this.#reconcile());
    }
  }

  #enqueue(change: () => Promise<void>): void {
    this.#changes = this.#changes
      .then(change)
      .catch((err: unknown) => this.#o.logger.error({ err }, 'collector start/stop failed'));
  }

  /** Makes the running collectors match the leases held now, minus those being given back. */
  async #reconcile(): Promise<void> {
    const held = this.#o.store.leases.held().filter((l) => !this.#givingBack.includes(l));
    for (const [tenantId, running] of this.#running) {
      if (typesOf(held, tenantId) === running.contentTypes) continue;
      this.#running.delete(tenantId);
      await running.collector.stop();
      await this.#o.onTenantReleased?.(tenantId);
    }
    if (this.#abort.signal.aborted) return;
    for (const tenantId of new Set(held.map((l) => l.key.tenantId))) {
      const tenant = this.#tenants.get(tenantId);
      if (!tenant || this.#running.has(tenantId)) continue;
      const contentTypes = typesOf(held, tenantId);
      const leased = new Set(contentTypes.split(','));
      const restricted: TenantConfig = {
        ...tenant,
        content_types: tenant.content_types.filter((ct: ContentType) => leased.has(ct)),
      };
      const collector = createCollector({
        config: { tenants: [restricted], collection: this.#o.config.collection },
        stateStore: this.#o.store,
        delivery: this.#o.delivery,
        logger: this.#o.logger,
        ...(this.#o.ca ? { ca: this.#o.ca } : {}),
        ...(this.#o.tokenProvider ? { tokenProvider: this.#o.tokenProvider } : {}),
      });
      await this.#o.onTenantAcquired?.(tenantId);
      this.#running.set(tenantId, { contentTypes, collector });
      await collector.start();
    }
  }

  /** Stops every collector (in-flight batches finish and commit) and gives the leases back. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#changes;
    await Promise.allSettled([...this.#running.values()].map((r) => r.collector.stop()));
    this.#running.clear();
    await this.#o.store.leases.releaseAll();
  }
}
