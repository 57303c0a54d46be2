import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { StoreError } from './errors.ts';

/**
 * The ECS documents and raw records of one insert batch, kept together in one deflated block: compressing a batch
 * finds the redundancy between events (field names, tenant ids, user agents) that a per-event compression cannot,
 * and costs one zlib call per batch. Layout before deflate: entry count n (uint32 LE), n + 1 byte offsets
 * (uint32 LE) into the body, then the body: each entry's JSON `[ecs, raw]` one after the other. Reading one event
 * inflates the block (fast) and parses only that event's JSON.
 */
export type BlockEntry = [EcsDocument, AuditRecord];

export function encodeBlock(entries: readonly BlockEntry[]): Buffer {
  const texts = entries.map((entry) => JSON.stringify(entry));
  const header = Buffer.alloc(4 * (texts.length + 2));
  header.writeUInt32LE(texts.length, 0);
  let offset = 0;
  texts.forEach((text, i) => {
    header.writeUInt32LE(offset, 4 * (i + 1));
    offset += Buffer.byteLength(text);
  });
  header.writeUInt32LE(offset, 4 * (texts.length + 1));
  return deflateRawSync(Buffer.concat([header, Buffer.from(texts.join(''))]), { level: 1 });
}

/** An inflated block: entries are parsed on first access only. */
export class DecodedBlock {
  readonly #data: Buffer;
  readonly #count: number;
  readonly #parsed = new Map<number, BlockEntry>();

  constructor(data: Buffer) {
    try {
      this.#data = inflateRawSync(data);
    } catch (err) {
      throw new StoreError(`a stored event block is damaged: ${(err as Error).message}`, { cause: err });
    }
    this.#count = this.#data.length >= 4 ? this.#data.readUInt32LE(0) : 0;
    if (this.#data.length < 4 * (this.#count + 2)) throw new StoreError('a stored event block is damaged: truncated header');
  }

  entry(slot: number): BlockEntry | undefined {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#count) return undefined;
    let entry = this.#parsed.get(slot);
    if (entry) return entry;
    const body = 4 * (this.#count + 2);
    const start = body + this.#data.readUInt32LE(4 * (slot + 1));
    const end = body + this.#data.readUInt32LE(4 * (slot + 2));
    try {
      entry = JSON.parse(this.#data.toString('utf8', start, end)) as BlockEntry;
    } catch (err) {
      throw new StoreError(`a stored event is damaged: ${(err as Error).message}`, { cause: err });
    }
    this.#parsed.set(slot, entry);
    return entry;
  }
}

/** The last few inflated blocks, so reading neighbouring events (one page, one scan) inflates each block once. */
export class BlockCache {
  readonly #load: (id: number) => Buffer | undefined;
  readonly #blocks = new Map<number, DecodedBlock>();
  readonly #size: number;

  constructor(load: (id: number) => Buffer | undefined, size = 8) {
    this.#load = load;
    this.#size = size;
  }

  entry(block: number, slot: number): BlockEntry | undefined {
    let decoded = this.#blocks.get(block);
    if (decoded) {
      this.#blocks.delete(block);
    } else {
      const data = this.#load(block);
      if (!data) return undefined;
      decoded = new DecodedBlock(data);
      if (this.#blocks.size >= this.#size) this.#blocks.delete(this.#blocks.keys().next().value as number);
    }
    this.#blocks.set(block, decoded);
    return decoded.entry(slot);
  }

  clear(): void {
    this.#blocks.clear();
  }
}
