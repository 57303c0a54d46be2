import type { BlobPublisher } from './blob-publisher.ts';
import { generateRecords } from './records/index.ts';
import type { Rng } from './rng.ts';
import type { TenantRegistry } from './tenant-registry.ts';

const STEP_MS = 5 * 60_000;
const MAX_RECORDS_PER_TENANT = 100_000;

/**
 * Publishes history at start: blobs every 5 minutes over the past `periodMs`, at `eventsPerMinute`
 * (capped at 100k records per tenant), with one demo scenario per hour when `scenarios` is on.
 */
export function backfill(
  registry: TenantRegistry,
  publisher: BlobPublisher,
  rng: Rng,
  o: { periodMs: number; eventsPerMinute: number; recordsPerBlob: number; scenarios: boolean; now: number },
): void {
  const steps = Math.max(1, Math.floor(o.periodMs / STEP_MS));
  const perStep = Math.max(
    1,
    Math.min(Math.round((o.eventsPerMinute * STEP_MS) / 60_000), Math.floor(MAX_RECORDS_PER_TENANT / steps)),
  );
  for (const tenant of registry.all()) {
    for (let i = steps; i >= 1; i--) {
      const created = o.now - (i - 1) * STEP_MS - rng.int(1_000, 60_000);
      const items = generateRecords(perStep, rng, tenant.context, { at: created - 10 * 60_000, spreadMs: 50 * 60_000 });
      if (o.scenarios && i % 12 === 0) items.push(...publisher.scenario(tenant.tenantId, created - 15 * 60_000));
      publisher.publishMixed(tenant.tenantId, items, o.recordsPerBlob, created);
    }
  }
}
