import type { ServerResponse } from 'node:http';
import type { ContentType } from '../core/content-types.ts';
import { generateRecords, type TenantContext } from './records/index.ts';
import { Rng } from './rng.ts';

/** Distinct realistic records a huge blob cycles through (each copy gets its own Id). */
const TEMPLATE_COUNT = 64;
const ID_MARK = '@@record-id@@';

export interface HugeBlobPlan {
  seed: number;
  recordCount: number;
}

/** Record Id `index` of a huge blob: GUID-shaped, unique per (seed, index). */
export function hugeRecordId(seed: number, index: number): string {
  const s = (seed >>> 0).toString(16).padStart(8, '0');
  const i = index.toString(16).padStart(12, '0');
  return `${s}-${s.slice(0, 4)}-4${s.slice(4, 7)}-8${i.slice(0, 3)}-${i.slice(3)}${s.slice(7)}00`;
}

/**
 * The serialized templates of a huge blob, split around the Id value: record i is
 * `before + hugeRecordId(seed, i) + after` of template i % 64. Rebuilt from the seed when needed.
 */
function templates(
  seed: number,
  tenant: TenantContext,
  contentType: ContentType,
  at: number,
): { before: string; after: string }[] {
  const rng = new Rng(seed);
  return generateRecords(TEMPLATE_COUNT, rng, tenant, { contentTypes: [contentType], at, spreadMs: 3_600_000 }).map(
    ({ record }) => {
      const json = JSON.stringify({ ...record, Id: ID_MARK });
      const pos = json.indexOf(ID_MARK);
      const before = json.slice(0, pos);
      const after = json.slice(pos + ID_MARK.length);
      return { before, after };
    },
  );
}

/** Plans a huge blob of at least `minBytes`; returns the record count and their Ids (the only thing kept). */
export function planHugeBlob(
  seed: number,
  minBytes: number,
  tenant: TenantContext,
  contentType: ContentType,
  at: number,
): HugeBlobPlan & { ids: string[] } {
  const sizes = templates(seed, tenant, contentType, at).map(
    (p) => Buffer.byteLength(p.before) + Buffer.byteLength(p.after) + 36 + 1,
  );
  if (sizes.length === 0) throw new RangeError(`no record template for ${contentType}`);
  const ids: string[] = [];
  let bytes = 2;
  while (bytes < minBytes) {
    bytes += sizes[ids.length % sizes.length] ?? 0;
    ids.push(hugeRecordId(seed, ids.length));
  }
  return { seed, recordCount: ids.length, ids };
}

function waitForDrain(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Streams a huge blob's JSON array in ~64 KB chunks with backpressure. With `truncateAt` (a record
 * index) the socket is destroyed after that many records, like a connection cut mid-body.
 */
export async function streamHugeBlob(
  res: ServerResponse,
  plan: HugeBlobPlan,
  tenant: TenantContext,
  contentType: ContentType,
  at: number,
  truncateAt?: number,
): Promise<void> {
  const parts = templates(plan.seed, tenant, contentType, at);
  let buffer = '[';
  for (let i = 0; i < plan.recordCount; i++) {
    if (truncateAt !== undefined && i === truncateAt) {
      res.write(buffer);
      res.destroy();
      return;
    }
    const part = parts[i % parts.length];
    if (!part) throw new RangeError(`no record template for ${contentType}`);
    buffer += (i === 0 ? '' : ',') + part.before + hugeRecordId(plan.seed, i) + part.after;
    if (buffer.length >= 65_536) {
      if (res.destroyed) return;
      const flushed = res.write(buffer);
      buffer = '';
      if (!flushed) await waitForDrain(res);
    }
  }
  res.end(`${buffer}]`);
}
