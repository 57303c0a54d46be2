import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { StoreError } from './errors.ts';

/**
 * The ECS documents and raw records of one insert batch, kept together as one deflated JSON array
 * `[[ecs, raw], …]`: compressing a batch finds the redundancy between events (field names, tenant ids,
 * user agents) that a per-event compression cannot, and costs one zlib call per batch.
 */
export type BlockEntry = [EcsDocument, AuditRecord];

export function encodeBlock(entries: readonly BlockEntry[]): Buffer {
  return deflateRawSync(JSON.stringify(entries), { level: 1 });
}

export function decodeBlock(data: Buffer): BlockEntry[] {
  try {
    const entries = JSON.parse(inflateRawSync(data).toString('utf8')) as unknown;
    if (!Array.isArray(entries)) throw new Error('not an array');
    return entries as BlockEntry[];
  } catch (err) {
    throw new StoreError(`a stored event block is damaged: ${(err as Error).message}`, { cause: err });
  }
}

/** The last few decoded blocks, so reading neighbouring events (one page, one scan) decodes each block once. */
export class BlockCache {
  readonly #load: (id: number) => Buffer | undefined;
  readonly #entries = new Map<number, BlockEntry[]>();
  readonly #size: number;

  constructor(load: (id: number) => Buffer | undefined, size = 8) {
    this.#load = load;
    this.#size = size;
  }

  entry(block: number, slot: number): BlockEntry | undefined {
    let entries = this.#entries.get(block);
    if (entries) {
      this.#entries.delete(block);
    } else {
      const data = this.#load(block);
      if (!data) return undefined;
      entries = decodeBlock(data);
      if (this.#entries.size >= this.#size) this.#entries.delete(this.#entries.keys().next().value as number);
    }
    this.#entries.set(block, entries);
    return entries[slot];
  }

  clear(): void {
    this.#entries.clear();
  }
}
