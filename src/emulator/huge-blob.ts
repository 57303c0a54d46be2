import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AuditRecord } from '../core/audit-record.ts';
import type { ContentType } from '../core/content-types.ts';
import { generateRecords, type TenantContext } from './records/index.ts';
import { Rng } from './rng.ts';

/** Record `index` of a huge blob: regenerated identically from (seed, index), never stored. */
export function hugeBlobRecord(seed: number, index: number, tenant: TenantContext, contentType: ContentType, at: number): AuditRecord {
  const rng = new Rng((seed + Math.imul(index, 0x9e3779b1)) >>> 0);
  const [item] = generateRecords(1, rng, tenant, { contentTypes: [contentType], at, spreadMs: 3_600_000 });
  if (!item) throw new RangeError(`no record template for ${contentType}`);
  return item.record;
}

/**
 * Plans a huge blob: how many records reach `minBytes`, and their Ids (the only thing kept).
 * Records are generated one at a time and dropped.
 */
export function planHugeBlob(seed: number, minBytes: number, tenant: TenantContext, contentType: ContentType, at: number): { recordCount: number; ids: string[] } {
  const ids: string[] = [];
  let bytes = 2;
  while (bytes < minBytes) {
    const record = hugeBlobRecord(seed, ids.length, tenant, contentType, at);
    bytes += Buffer.byteLength(JSON.stringify(record)) + 1;
    ids.push(String(record.Id));
  }
  return { recordCount: ids.length, ids };
}

/**
 * Streams a huge blob's JSON array with backpressure. With `truncateAt` (a record index) the
 * socket is destroyed after that many records, like a connection cut mid-body.
 */
export async function streamHugeBlob(res: ServerResponse, plan: { seed: number; recordCount: number }, tenant: TenantContext, contentType: ContentType, at: number, truncateAt?: number): Promise<void> {
  res.write('[');
  for (let i = 0; i < plan.recordCount; i++) {
    if (res.destroyed) return;
    if (truncateAt !== undefined && i === truncateAt) {
      res.destroy();
      return;
    }
    const chunk = (i === 0 ? '' : ',') + JSON.stringify(hugeBlobRecord(plan.seed, i, tenant, contentType, at));
    if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  res.end(']');
}
