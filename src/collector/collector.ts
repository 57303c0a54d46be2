import { setMaxListeners } from 'node:events';
import { Semaphore } from 'async-mutex';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Delivery } from '../core/delivery.ts';
import type { ReconciliationReport } from '../core/health.ts';
import { ApiError } from '../management-api/errors.ts';
import { HttpAgents } from '../management-api/http-agents.ts';
import { RequestLanes } from '../management-api/request-lanes.ts';
import { createTenantClient, type TenantClient } from '../management-api/tenant-client.ts';
import type { TokenProvider } from '../management-api/token-provider.ts';
import type { Logger } from '../observability/logger.ts';
import type { StateStore } from '../state/state-store.ts';
import type { CollectionConfig, TenantConfig } from './config.ts';
import { collectorMetrics as m } from './metrics.ts';
import { Reconciler } from './reconciler.ts';
import { BlobDelivery } from './blob-delivery.ts';
import { ListingQueue } from './listing-queue.ts';
import { TenantCollector, type CycleResult } from './tenant-collector.ts';
import { WakeSignal } from './webhook/wake-signal.ts';

export interface CollectorOptions {
  config: { tenants: readonly TenantConfig[]; collection: CollectionConfig };
  stateStore: StateStore;
  delivery: Delivery;
  logger: Logger;
  /** Extra trusted CA (PEM), e.g. the emulator's certificate. */
  ca?: string;
  /** Replaces MSAL token acquisition for every tenant (tests, custom credential sources). */
  tokenProvider?: (tenant: TenantConfig) => TokenProvider;
}

export interface TenantCycle extends CycleResult {
  tenant: string;
  error?: { code: string; message: string };
}

export interface TenantReconciliation {
  tenant: string;
  reports: ReconciliationReport[];
  error?: { code: string; message: string };
}

export interface Collector {
  /** Declares every stream, then polls every tenant in its own loop until stop(). Resolves once started. */
  start(): Promise<void>;
  /** One cycle for every tenant (expire overdue blobs, list, fetch); tenants fail independently. */
  runOnce(): Promise<TenantCycle[]>;
  /** One reconciliation sweep of every tenant (what the background sweep does every `reconcile_interval`). */
  reconcile(): Promise<TenantReconciliation[]>;
  /** Fetches a tenant's queued blobs now instead of at its next poll (webhook notifications); false for an unknown tenant. */
  wake(tenantId: string): boolean;
  /** Aborts in-flight requests, waits for the loops, releases HTTP agents. The state store is the caller's to close. */
  stop(): Promise<void>;
}

interface TenantRunner {
  tenant: TenantConfig;
  client: TenantClient;
  collector: TenantCollector;
  reconciler: Reconciler;
  wake: WakeSignal;
  /** Aborted with the collector: what this tenant's requests and waits listen on. */
  signal: AbortSignal;
  lastAuthMessage?: string;
}

/**
 * Connections kept per origin (API host, login host), shared by all tenants: enough for every tenant's blob workers
 * with a few tenants, and a bound on sockets and TLS state with 1000 (requests beyond it wait in the agent's queue).
 */
const MAX_CONNECTIONS_PER_ORIGIN = 64;

/** The Management Activity API collector for all configured tenants. */
export function createCollector(options: CollectorOptions): Collector {
  const { stateStore: state, logger, config } = options;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const loops: Promise<void>[] = [];
  const enabled = config.tenants.map((tenant, index) => ({ tenant, index })).filter(({ tenant }) => tenant.enabled);
  // Per tenant: its blob workers, one listing per content type, the token request.
  const connectionsPerOrigin = Math.min(
    MAX_CONNECTIONS_PER_ORIGIN,
    enabled.reduce((n, { tenant }) => n + config.collection.concurrency + tenant.content_types.length, 1),
  );
  const agents = new HttpAgents({ requestTimeoutMs: config.collection.request_timeout, connectionsPerOrigin });
  // Subscriptions and listings of all tenants take at most half the connections: blob downloads keep the rest.
  const controlInFlight = Math.ceil(connectionsPerOrigin / 2);
  const lanes = new RequestLanes(controlInFlight);
  // Streams list in turns, twice as many at once as control requests may be in flight (a turn also reads pages and
  // writes the state store, when it needs no connection): the others wait as queue entries, not as requests.
  const listings = new ListingQueue(2 * controlInFlight);
  // One group commit for all tenants: batches waiting on the pipeline are delivered and committed together.
  const blobs = new BlobDelivery(state, options.delivery);
  // Blobs between fetch and delivery, all tenants together: every connection fetching and as many parsed and waiting
  // for the group commit (with 1000 tenants, ~900 parsed blobs used to wait, ~35 MB of records).
  const blobSlots = new Semaphore(config.collection.blobs_in_hand ?? 2 * connectionsPerOrigin);
  const runners: TenantRunner[] = enabled.map(({ tenant, index }) => {
    // A signal per tenant, aborted with the collector's: with one signal shared by every in-flight request and wait of
    // 1000 tenants, each addEventListener scanned thousands of listeners (10% of start-up CPU).
    const tenantAbort = new AbortController();
    abort.signal.addEventListener('abort', () => tenantAbort.abort(), { once: true });
    const { signal } = tenantAbort;
    setMaxListeners(0, signal);
    const client = createTenantClient(tenant, index, config.collection, {
      logger,
      agents,
      lanes,
      signal,
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.tokenProvider ? { tokens: options.tokenProvider(tenant) } : {}),
    });
    const collector = new TenantCollector({
      tenant,
      collection: config.collection,
      api: client.api,
      state,
      delivery: options.delivery,
      blobs,
      listings,
      blobSlots,
      logger,
      signal,
    });
    const reconciler = new Reconciler({
      tenantName: tenant.name,
      collection: config.collection,
      api: client.api,
      state,
      logger,
      signal,
    });
    return { tenant, client, collector, reconciler, wake: new WakeSignal(), signal };
  });

  async function housekeeping(): Promise<void> {
    const now = Date.now();
    for (const blob of await state.overdueBlobs(now)) {
      const runner = runners.find((r) => r.tenant.tenant_id === blob.tenantId);
      const tenant = runner?.tenant.name ?? blob.tenantId;
      await state.markBlobExpired(
        blob,
        blob.contentId,
        `expired at ${new Date(blob.expiration).toISOString()} before it could be fetched`,
      );
      m.blobsExpired.inc({ tenant, content_type: blob.contentType });
      logger.error(
        { tenant, contentType: blob.contentType, contentId: blob.contentId, delivered: blob.delivered },
        'EVENTS LOST: blob expired before it could be fetched',
      );
    }
    await state.prune(now);
    for (const health of await state.streamHealth()) {
      const labels = { tenant: health.tenantName || health.tenantId, content_type: health.contentType };
      m.queueDepth.set(labels, health.pendingBlobs + health.quarantinedBlobs);
      if (health.newestContentAt !== undefined) m.contentLag.set(labels, Math.max(0, (now - health.newestContentAt) / 1000));
    }
  }

  async function cycle(runner: TenantRunner): Promise<TenantCycle> {
    try {
      const result = await runner.collector.runCycle();
      if (runner.lastAuthMessage !== undefined) logger.info({ tenant: runner.tenant.name }, 'tenant credentials accepted again');
      delete runner.lastAuthMessage;
      return { tenant: runner.tenant.name, ...result };
    } catch (err) {
      const error =
        err instanceof ApiError ? { code: err.code, message: err.message } : { code: 'ERROR', message: (err as Error).message };
      if (!abort.signal.aborted) {
        // Recording the error must never end the tenant's loop (e.g. the state store is briefly unreachable).
        await runner.collector
          .recordTenantError(err)
          .catch((recordErr: unknown) =>
            logger.error({ tenant: runner.tenant.name, err: recordErr }, 'cannot record the tenant error in the state store'),
          );
        if (runner.lastAuthMessage !== error.message)
          logger.error({ tenant: runner.tenant.name, code: error.code }, error.message);
        runner.lastAuthMessage = error.message;
      }
      return { tenant: runner.tenant.name, blobsListed: 0, blobsFetched: 0, blobsFailed: 0, eventsDelivered: 0, error };
    }
  }

  async function loop(runner: TenantRunner): Promise<void> {
    let nextPoll = 0;
    while (!abort.signal.aborted) {
      if (Date.now() >= nextPoll) {
        const result = await cycle(runner);
        nextPoll = Date.now() + (result.error ? config.collection.auth_retry_delay : config.collection.poll_interval);
      } else {
        await runner.collector
          .drainNow()
          .catch((err: unknown) =>
            logger.warn(
              { tenant: runner.tenant.name, err: (err as Error).message },
              'drain after a webhook notification failed; the next poll retries',
            ),
          );
      }
      await runner.wake.wait(nextPoll - Date.now(), runner.signal);
    }
  }

  async function housekeepingLoop(): Promise<void> {
    while (!abort.signal.aborted) {
      await housekeeping().catch((err: unknown) => logger.error({ err }, 'state housekeeping failed'));
      await sleep(config.collection.poll_interval, undefined, { signal: abort.signal }).catch(() => undefined);
    }
  }

  async function reconcile(runner: TenantRunner): Promise<TenantReconciliation> {
    try {
      return { tenant: runner.tenant.name, reports: await runner.reconciler.sweep(runner.collector.keys) };
    } catch (err) {
      const error =
        err instanceof ApiError ? { code: err.code, message: err.message } : { code: 'ERROR', message: (err as Error).message };
      if (!abort.signal.aborted) logger.warn({ tenant: runner.tenant.name, err: error }, 'reconciliation sweep failed');
      return { tenant: runner.tenant.name, reports: [], error };
    }
  }

  /** Sweeps the tenants one after the other, in the background of collection, every reconcile_interval. */
  async function reconcileLoop(): Promise<void> {
    const interval = config.collection.reconcile_interval;
    if (interval === 0) return;
    while (!abort.signal.aborted) {
      await sleep(interval, undefined, { signal: abort.signal }).catch(() => undefined);
      for (const runner of runners) {
        if (abort.signal.aborted) return;
        await reconcile(runner);
      }
    }
  }

  async function registerStreams(): Promise<void> {
    for (const runner of runners) {
      for (const key of runner.collector.keys) await state.registerStream(key, runner.tenant.name);
    }
  }

  return {
    async start() {
      await registerStreams();
      loops.push(housekeepingLoop(), reconcileLoop(), ...runners.map(loop));
    },
    async runOnce() {
      await registerStreams();
      await housekeeping();
      return Promise.all(runners.map(cycle));
    },
    async reconcile() {
      await registerStreams();
      const results: TenantReconciliation[] = [];
      for (const runner of runners) results.push(await reconcile(runner));
      return results;
    },
    wake(tenantId) {
      const runner = runners.find((r) => r.tenant.tenant_id.toLowerCase() === tenantId.toLowerCase());
      runner?.wake.wake();
      return runner !== undefined;
    },
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
      await agents.close();
    },
  };
}
