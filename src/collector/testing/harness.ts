import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/schema.ts';
import { parseConfig } from '../../config/load.ts';
import { CONTENT_TYPES } from '../../core/content-types.ts';
import type { Emulator, EmulatorTenantSpec } from '../../emulator/index.ts';
import { silentLogger, type Logger } from '../../observability/logger.ts';
import { FileSink } from '../../sinks/file.ts';
import { SqliteStateStore } from '../../state/sqlite-state-store.ts';
import { createCollector, type Collector, type TenantCycle } from '../collector.ts';
import { SinkDelivery } from './sink-delivery.ts';

export const TENANTS = [
  {
    name: 'contoso',
    tenantId: '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b',
    clientId: '3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    secret: 'contoso-secret~1',
  },
  {
    name: 'fabrikam',
    tenantId: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
    clientId: '4d6e8f0a-2b3c-4d5e-9f6a-7b8c9d0e1f2a',
    secret: 'fabrikam-secret~2',
  },
] as const;

export function emulatorTenants(): EmulatorTenantSpec[] {
  return TENANTS.map((t) => ({ tenantId: t.tenantId, name: t.name, apps: [{ clientId: t.clientId, clientSecret: t.secret }] }));
}

/** Collection settings fast enough for tests: short retries, no listing delay, small batches. */
export const FAST_COLLECTION = {
  window: '1h',
  settle_window: '3h',
  backfill: '4h',
  listing_delay: '0s',
  batch_size: 50,
  concurrency: 4,
  retry_base_delay: '5ms',
  retry_max_delay: '50ms',
  quarantine_retry_delay: '100ms',
  max_request_attempts: 3,
  max_blob_attempts: 50,
  auth_retry_delay: '100ms',
  subscription_cooldown: '100ms',
  request_timeout: '10s',
};

/** A tenant of the emulator with the app registration that reads it. */
export interface EmulatedTenant {
  name: string;
  tenantId: string;
  clientId: string;
  secret: string;
}

/** Raw tenant config entries pointing at the emulator (the harness's tenants unless others are given). */
export function tenantEntries(
  emulator: Emulator,
  caFile: string,
  overrides: Partial<Record<string, unknown>>[] = [],
  tenants: readonly EmulatedTenant[] = TENANTS,
): Record<string, unknown>[] {
  return tenants.map((t, i) => ({
    name: t.name,
    tenant_id: t.tenantId,
    client_id: t.clientId,
    client_secret: t.secret,
    login_url: emulator.url,
    api_url: emulator.url,
    ca_file: caFile,
    ...overrides[i],
  }));
}

export const ALL_CONTENT_TYPES = [...CONTENT_TYPES];

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'collector-'));
}

export interface InProcessRun {
  config: Config;
  state: SqliteStateStore;
  delivery: SinkDelivery;
  collector: Collector;
  output: string;
  close(): Promise<void>;
}

export async function inProcess(
  dir: string,
  raw: { tenants: unknown[]; collection?: Record<string, unknown> },
  logger: Logger = silentLogger,
): Promise<InProcessRun> {
  const config = parseConfig({ tenants: raw.tenants, collection: { ...FAST_COLLECTION, ...raw.collection } });
  const state = new SqliteStateStore(join(dir, 'state.db'));
  const output = join(dir, 'out.ndjson');
  const delivery = new SinkDelivery([new FileSink({ name: 'file', path: output, logger: silentLogger })]);
  await state.recordBaselinePositions(await delivery.open(await state.sinkPositions()));
  const collector = createCollector({ config, stateStore: state, delivery, logger });
  return {
    config,
    state,
    delivery,
    collector,
    output,
    async close() {
      await collector.stop();
      await delivery.close();
      await state.close();
    },
  };
}

/** Runs cycles until nothing is waiting and a cycle found and fetched nothing (bounded). */
export async function runUntilIdle(run: InProcessRun, maxCycles = 60): Promise<TenantCycle[][]> {
  const cycles: TenantCycle[][] = [];
  for (let i = 0; i < maxCycles; i += 1) {
    const results = await run.collector.runOnce();
    cycles.push(results);
    const waiting = (await run.state.streamHealth()).reduce((n, h) => n + h.pendingBlobs + h.quarantinedBlobs, 0);
    if (waiting === 0 && results.every((r) => !r.error && r.blobsListed === 0 && r.blobsFetched === 0 && r.blobsFailed === 0))
      return cycles;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`collector still busy after ${maxCycles} cycles: ${JSON.stringify(cycles.at(-1))}`);
}
