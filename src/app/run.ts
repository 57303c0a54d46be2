import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SinkPositions } from '../core/delivery.ts';
import type { HealthSource, StreamHealth } from '../core/health.ts';
import type { Config } from '../config/schema.ts';
import { createCollector, type Collector } from '../collector/collector.ts';
import { createRecordFilter } from '../filter/record-filter.ts';
import type { OpenedStore } from '../store/open-store.ts';
import type { EventHubSource } from '../sources/eventhub/eventhub-source.ts';
import { openStateStore } from '../state/open-state-store.ts';
import type { PostgresStateStore } from '../state/postgres/postgres-state-store.ts';
import type { ScaleOutWorker } from '../state/postgres/scale-out-worker.ts';
import type { StateStore } from '../state/state-store.ts';
import { metricsRegistry } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';
import { Pipeline } from '../pipeline/pipeline.ts';
import type { DemoEnvironment } from './emulator-mode.ts';
import { buildSinks } from './sinks.ts';
import { compareSinkPositions } from '../sinks/positions.ts';

export interface RunningPipeline {
  /** URL of the web page, when enabled. */
  webUrl?: string;
  /** The web page's access token, only when it was generated (a configured token is never handed out). */
  generatedWebToken?: string;
  /** Where a generated token is kept (printed on later starts too, never the token itself). */
  webTokenFile?: string;
  stop(): Promise<void>;
}

/** Health of every source: the Management API streams and the Event Hubs. */
function combinedHealth(sources: HealthSource[]): HealthSource {
  return {
    async streamHealth(): Promise<StreamHealth[]> {
      return (await Promise.all(sources.map((s) => s.streamHealth()))).flat();
    },
  };
}

/** Positions committed by several state stores for the same sink: the furthest one is the latest commit. */
function mergePositions(all: SinkPositions[]): SinkPositions {
  const merged: Record<string, string> = {};
  for (const positions of all) {
    for (const [sink, position] of Object.entries(positions)) {
      const current = merged[sink];
      merged[sink] = current === undefined || compareSinkPositions(position, current) > 0 ? position : current;
    }
  }
  return merged;
}

// Detection, the event store, the web page, GeoIP, PostgreSQL, the webhook receiver, Event Hubs and the emulator are
// imported only when configured: a plain collector never loads (nor pays start-up CPU and memory for) what it does not run.

async function loadDetector(config: Config, logger: Logger) {
  if (!config.detection.enabled) return undefined;
  const { detectorFromConfig } = await import('../detect/index.ts');
  const { detector, errors } = detectorFromConfig(config.detection, logger.child({ component: 'detect' }));
  for (const error of errors) logger.error({ err: error.message }, 'detection rule not loaded');
  logger.info({ rules: detector.stats().rules }, 'detection rules loaded');
  return detector;
}

/**
 * Builds and starts everything the config asks for: sources (Management API tenants, or the built-in emulator
 * when none is configured; Event Hubs), the pipeline (normalize → detect → store → sinks) and the web page.
 */
export async function runPipeline(config: Config, logger: Logger): Promise<RunningPipeline> {
  const dataDir = resolve(config.data_dir);
  mkdirSync(dataDir, { recursive: true });
  const useEmulator =
    config.emulator.mode === 'always' ||
    (config.emulator.mode === 'auto' && config.tenants.length === 0 && config.eventhubs.length === 0);
  let demo: DemoEnvironment | undefined;
  let statePath = config.state;
  if (useEmulator) {
    // Loaded only when used, like the Event Hub client below: a collector of real tenants never pays for either.
    const { startDemoEnvironment } = await import('./emulator-mode.ts');
    demo = await startDemoEnvironment(config.emulator, logger);
    // The emulator starts empty on every run, so its collection state must too.
    statePath = join(dataDir, 'demo-state.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(statePath + suffix, { force: true });
  }
  const tenants = [...config.tenants, ...(demo?.tenants ?? [])];
  const collection = demo
    ? { ...config.collection, poll_interval: Math.min(config.collection.poll_interval, 20_000) }
    : config.collection;

  const shared: PostgresStateStore | undefined = /^postgres(ql)?:\/\//i.test(statePath)
    ? await (await import('../state/postgres/postgres-state-store.ts')).PostgresStateStore.open(statePath, {
        nodeId: config.scale_out.node_id,
        leaseTtlMs: config.scale_out.lease_ttl,
      })
    : undefined;
  const stateStore: StateStore = shared ?? (await openStateStore(statePath, logger.child({ component: 'state' })));
  // Scaled out (state in PostgreSQL), events and alerts go to PostgreSQL too, unless store.backend says otherwise.
  const storeModule = config.store.enabled ? await import('../store/open-store.ts') : undefined;
  const opened: OpenedStore | undefined = storeModule
    ? await storeModule.openStore(config.store, statePath, logger.child({ component: 'store' }))
    : undefined;
  const store = opened?.store;
  const detector = await loadDetector(config, logger);
  if (detector && stateStore.loadDetectionState && stateStore.attachDetectionState) {
    // Correlations and alert groups resume where the last committed checkpoint left them. Scaled out, each worker
    // loads a tenant's state when it takes the tenant's leases (a tenant is leased whole, all its content types).
    detector.restore(shared ? [] : await stateStore.loadDetectionState());
    stateStore.attachDetectionState(detector);
  }
  const onFatal = () => {
    // State on disk is consistent (crash-only design): a restart rolls the sinks back to the last checkpoint.
    process.exitCode = 70;
    setImmediate(() => process.exit(70));
  };
  const sinks = buildSinks(config.sinks, dataDir, logger);
  const pipeline = new Pipeline({
    sinks,
    format: config.output.format,
    // Enrichment is loaded only when something reads ECS (a raw collector never normalizes).
    enrich:
      (config.output.format !== 'raw' || detector !== undefined || opened !== undefined) &&
      (config.enrichment.geoip.enabled || config.enrichment.asn.enabled)
        ? (await import('../enrich/from-config.ts')).enricherFromConfig(config.enrichment)
        : () => {},
    keep: createRecordFilter(config.filters),
    onFatal,
    logger: logger.child({ component: 'pipeline' }),
    ...(detector ? { detector } : {}),
    ...(opened ? { store: opened.store, ...(opened.backend === 'sqlite' ? { storeDir: dirname(opened.path) } : {}) } : {}),
  });
  // Built before collection starts: the page's counts are those since this start. With the PostgreSQL store, every
  // worker reports its outputs there (web page or not), and any worker's page shows them all.
  const localSinkHealth =
    (config.web.enabled && store) || opened?.backend === 'postgres'
      ? (await import('../web/sink-health.ts')).buildSinkHealth(sinks, {
          configs: config.sinks,
          dataDir,
          registry: metricsRegistry,
          store: pipeline,
        })
      : undefined;
  const workerSinkHealth =
    opened?.backend === 'postgres' && localSinkHealth
      ? new (await import('../store/postgres/worker-sink-health.ts')).WorkerSinkHealth({
          url: opened.url,
          nodeId: config.scale_out.node_id,
          local: localSinkHealth,
          heartbeatMs: config.scale_out.heartbeat,
          logger: logger.child({ component: 'store' }),
        })
      : undefined;
  const sinkHealth = workerSinkHealth ?? localSinkHealth;

  const eventHubs: EventHubSource[] = [];
  if (config.eventhubs.length > 0) {
    const { EventHubSource } = await import('../sources/eventhub/eventhub-source.ts');
    for (const hub of config.eventhubs) eventHubs.push(new EventHubSource({ config: hub, delivery: pipeline, dataDir, logger }));
  }
  const baseline = await pipeline.open(
    mergePositions([await stateStore.sinkPositions(), ...(await Promise.all(eventHubs.map((h) => h.sinkPositions())))]),
  );
  await stateStore.recordBaselinePositions(baseline);

  const collectorLogger = logger.child({ component: 'collector' });
  const ca = demo ? { ca: demo.ca } : {};
  // One process collects every tenant; with PostgreSQL state, processes share them through leases.
  const collector: ScaleOutWorker | Collector = shared
    ? new (await import('../state/postgres/scale-out-worker.ts')).ScaleOutWorker({
        config: { tenants, collection },
        store: shared,
        delivery: pipeline,
        logger: collectorLogger,
        heartbeatMs: config.scale_out.heartbeat,
        ...ca,
        ...(detector
          ? {
              onTenantAcquired: (tenantId: string) =>
                pipeline.exclusive(async () => detector.restore(await shared.loadDetectionState([tenantId]))),
              onTenantReleased: (tenantId: string) => pipeline.exclusive(async () => detector.forgetTenant(tenantId)),
            }
          : {}),
      })
    : createCollector({ config: { tenants, collection }, stateStore, delivery: pipeline, logger: collectorLogger, ...ca });
  // The receiver must be up before subscriptions are started: Microsoft validates the webhook address then.
  // Scale-out workers pick notified blobs up from the shared queue at their next poll.
  const wake = (tenantId: string) => void (shared ? undefined : (collector as Collector).wake(tenantId));
  const receiver = config.webhook_receiver
    ? await (await import('../collector/webhook/receiver.ts')).startWebhookReceiver({
        config: config.webhook_receiver,
        tenants,
        state: stateStore,
        wake,
        logger: logger.child({ component: 'webhook' }),
      })
    : undefined;
  await collector.start();
  for (const hub of eventHubs) await hub.start();
  workerSinkHealth?.start();

  const stopRetention = store
    ? (await import('../store/retention-schedule.ts')).scheduleRetention(
        store,
        config.store.retention_interval,
        logger.child({ component: 'store' }),
      )
    : undefined;
  const correlationClock = detector ? setInterval(() => void pipeline.flushDetections(), 60_000).unref() : undefined;
  let web: Awaited<ReturnType<typeof import('../web/server.ts').createWebServer>> | undefined;
  let webUrl: string | undefined;
  // Triage and saved searches live in tables of their own: in the shared PostgreSQL database when scaled out (every
  // worker's page shows the same triage), else in the event store's SQLite file.
  const analystUrl = opened?.backend === 'postgres' ? opened.url : shared ? statePath : undefined;
  const analyst =
    config.web.enabled && store
      ? analystUrl
        ? await (await import('../store/analyst/postgres-analyst-store.ts')).openPostgresAnalystStore(analystUrl)
        : (await import('../store/analyst/analyst-store.ts')).openAnalystStore(resolve(config.store.path))
      : undefined;
  if (store && analyst && sinkHealth) {
    const { createWebServer } = await import('../web/server.ts');
    web = await createWebServer({
      config: config.web,
      dataDir,
      store,
      analyst,
      health: combinedHealth([stateStore, ...eventHubs]),
      sinks: sinkHealth,
      logger: logger.child({ component: 'web' }),
      metricsRegistry,
    });
    webUrl = await web.listen();
  }

  return {
    webUrl,
    generatedWebToken: web?.tokenGenerated ? web.token : undefined,
    webTokenFile: web?.tokenFile,
    async stop() {
      stopRetention?.();
      clearInterval(correlationClock);
      await receiver?.close();
      await collector.stop();
      for (const hub of eventHubs) await hub.stop();
      await web?.close();
      await analyst?.close();
      await workerSinkHealth?.close();
      await pipeline.close();
      await store?.close();
      await stateStore.close();
      await demo?.emulator.stop();
    },
  };
}
