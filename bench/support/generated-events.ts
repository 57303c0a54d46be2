// Realistic processed events for store benchmarks: emulator records, normalized to ECS and GeoIP-enriched
// exactly as the pipeline does, then reused with fresh ids and times so a large store is cheap to fill.
import type { ProcessedEvent } from '../../src/core/processed-event.ts';
import { createTenantContext, generateRecords, Rng } from '../../src/emulator/index.ts';
import { enricherFromConfig, enrichmentSchema } from '../../src/enrich/index.ts';
import * as normalizer from '../../src/normalize/index.ts';
import { processRecord } from '../../src/pipeline/processor.ts';

const TENANTS = [
  createTenantContext('6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b', { name: 'contoso' }),
  createTenantContext('7a3b2c4d-2c3e-4d9f-8b8c-1d2e3f4a5b6c', { name: 'fabrikam' }),
  createTenantContext('8b4c3d5e-3d4f-4eaf-9c9d-2e3f4a5b6c7d', { name: 'northwind' }),
];

/** `count` distinct templates (normalized once); `eventAt` makes an event of template i with a new id and time. */
export function eventTemplates(count: number, seed = 7, at = Date.parse('2026-11-24T12:00:00Z')): ProcessedEvent[] {
  const rng = new Rng(seed);
  const enrich = enricherFromConfig(enrichmentSchema.parse({}));
  const out: ProcessedEvent[] = [];
  for (let i = 0; out.length < count; i++) {
    const tenant = TENANTS[i % TENANTS.length]!;
    const [item] = generateRecords(1, rng, tenant, { at });
    if (!item) continue;
    const processed = processRecord(
      {
        tenantId: tenant.tenantId,
        tenantName: tenant.shortName,
        source: 'management-api',
        contentId: 'bench',
        contentType: item.contentType,
        record: item.record,
      },
      enrich,
      normalizer,
    );
    if (processed.ok) out.push(processed.event);
  }
  return out;
}

/** A copy of `template` with a unique id (from `n`) and event time `time`. */
export function eventAt(template: ProcessedEvent, n: number, time: number): ProcessedEvent {
  const id = `${template.tenantId}:${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
  return { ...template, id, time, raw: { ...template.raw, Id: id.slice(template.tenantId.length + 1) } };
}
