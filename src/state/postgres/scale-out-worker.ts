import { setTimeout as sleep } from 'node:timers/promises';
import { createCollector, type Collector, type CollectorOptions } from '../../collector/collector.ts';
import type { CollectionConfig, TenantConfig } from '../../collector/config.ts';
import type { ContentType } from '../../core/content-types.ts';
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
  /** Lease heartbeat period; keep it well under the store's lease TTL (a third of it is a good value). */
  heartbeatMs: number;
  /** Passed through to the collector (e.g. the emulator's CA). */
  ca?: string;
  tokenProvider?: CollectorOptions['tokenProvider'];
}

interface RunningTenant {
  contentTypes: string;
  collector: Collector;
}

/**
 * One collector process of a scale-out deployment: registers every configured stream in PostgreSQL, then on each
 * heartbeat renews and rebalances its leases and runs one Management API collector per tenant restricted to the
 * content types it leases. A tenant whose leases change is stopped before its leases are given back, then restarted
 * with what it still holds. A worker that dies stops renewing; its streams expire and move to the others.
 */
export class ScaleOutWorker {
  readonly #o: ScaleOutWorkerOptions;
  readonly #tenants = new Map<string, TenantConfig>();
  readonly #running = new Map<string, RunningTenant>();
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: ScaleOutWorkerOptions) {
    this.#o = options;
    for (const tenant of options.config.tenants) if (tenant.enabled) this.#tenants.set(tenant.tenant_id, tenant);
  }

  /** Tenant ids this worker collects right now. */
  get activeTenants(): string[] {
    return [...this.#running.keys()];
  }

  async start(): Promise<void> {
    for (const tenant of this.#tenants.values()) {
      for (const contentType of tenant.content_types) await this.#o.store.registerStream({ tenantId: tenant.tenant_id, contentType }, tenant.name);
    }
    await this.#o.store.leases.join();
    await sleep(this.#o.heartbeatMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
    await this.#heartbeat();
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#abort.signal.aborted) {
      await sleep(this.#o.heartbeatMs, undefined, { signal: this.#abort.signal }).catch(() => undefined);
      if (this.#abort.signal.aborted) return;
      await this.#heartbeat().catch((err: unknown) => this.#o.logger.error({ err }, 'lease heartbeat failed; retrying'));
    }
  }

  async #heartbeat(): Promise<void> {
    const changes = await this.#o.store.leases.tick((leases) => this.#stopTenants(leases));
    if (changes.lost.length > 0) this.#o.logger.warn({ streams: changes.lost.map((l) => l.key) }, 'leases lost to another worker');
    if (changes.acquired.length > 0 || changes.released.length > 0) {
      this.#o.logger.info({ acquired: changes.acquired.length, released: changes.released.length, held: changes.held.length }, 'leases changed');
    }
    await this.#reconcile(changes.held);
  }

  async #stopTenants(leases: readonly Lease[]): Promise<void> {
    for (const tenantId of new Set(leases.map((l) => l.key.tenantId))) {
      const running = this.#running.get(tenantId);
      this.#running.delete(tenantId);
      await running?.collector.stop();
    }
  }

  /** Makes the running collectors match the held leases. */
  async #reconcile(held: readonly Lease[]): Promise<void> {
    const wanted = new Map<string, string[]>();
    for (const lease of held) wanted.set(lease.key.tenantId, [...(wanted.get(lease.key.tenantId) ?? []), lease.key.contentType]);
    for (const [tenantId, running] of this.#running) {
      const types = wanted.get(tenantId)?.sort().join(',');
      if (types !== running.contentTypes) {
        this.#running.delete(tenantId);
        await running.collector.stop();
      }
    }
    for (const [tenantId, contentTypes] of wanted) {
      const tenant = this.#tenants.get(tenantId);
      if (!tenant || this.#running.has(tenantId)) continue;
      const restricted: TenantConfig = { ...tenant, content_types: tenant.content_types.filter((ct: ContentType) => contentTypes.includes(ct)) };
      const collector = createCollector({
        config: { tenants: [restricted], collection: this.#o.config.collection },
        stateStore: this.#o.store,
        delivery: this.#o.delivery,
        logger: this.#o.logger,
        ...(this.#o.ca ? { ca: this.#o.ca } : {}),
        ...(this.#o.tokenProvider ? { tokenProvider: this.#o.tokenProvider } : {}),
      });
      this.#running.set(tenantId, { contentTypes: contentTypes.sort().join(','), collector });
      await collector.start();
    }
  }

  /** Stops every collector (in-flight batches finish and commit) and gives the leases back. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await Promise.allSettled([...this.#running.values()].map((r) => r.collector.stop()));
    this.#running.clear();
    await this.#o.store.leases.releaseAll();
  }
}
