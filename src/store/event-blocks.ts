import { LRUCache } from 'lru-cache';
import { compressSync, uncompressSync } from 'lz4-napi';
import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { StoreError } from './errors.ts';

/**
 * The ECS documents and raw records of one insert batch, kept together in one LZ4-compressed block: compressing a
 * batch finds the redundancy between events (field names, tenant ids, user agents) that a per-event compression
 * cannot, and costs one call per batch (LZ4: about half the CPU of zlib's fastest level, and faster to read).
 * Layout before compression: entry count n (uint32 LE), 2n + 1 byte offsets (uint32 LE) into the body, then the
 * body: each entry's ECS JSON then raw JSON, one after the other. Reading one event decompresses the block and
 * parses only that event's documents, and a test of one ECS (or raw) field parses only that document.
 */
export type BlockEntry = [EcsDocument, AuditRecord];

/** What one event puts in a block: the JSON of its ECS document and of its raw record. */
export interface BlockInput {
  ecsJson: string;
  rawJson: string;
}

/** Reused between blocks: each entry's JSON is written straight into it (no joined string, no second copy). */
let scratch = Buffer.allocUnsafe(1 << 20);

/** Writes `text` as UTF-8 at `at` in the scratch buffer (grown when it could be cut short); returns the new end. */
function put(text: string, at: number): number {
  // UTF-8 takes at most 3 bytes per UTF-16 unit.
  if (at + 3 * text.length > scratch.length) {
    const grown = Buffer.allocUnsafe(Math.max(2 * scratch.length, at + 3 * text.length));
    scratch.copy(grown, 0, 0, at);
    scratch = grown;
  }
  return at + scratch.write(text, at);
}

/** The documents' JSON texts are made by whoever holds the event (eventRowOf); the raw one is the text as received. */
export function encodeBlock(entries: readonly BlockInput[]): Buffer {
  const body = 4 * (2 * entries.length + 2);
  if (body > scratch.length) scratch = Buffer.allocUnsafe(2 * body);
  let at = body;
  scratch.writeUInt32LE(entries.length, 0);
  for (let i = 0; i < entries.length; i++) {
    const { ecsJson, rawJson } = entries[i]!;
    scratch.writeUInt32LE(at - body, 4 * (2 * i + 1));
    at = put(ecsJson, at);
    scratch.writeUInt32LE(at - body, 4 * (2 * i + 2));
    at = put(rawJson, at);
  }
  scratch.writeUInt32LE(at - body, 4 * (2 * entries.length + 1));
  return compressSync(scratch.subarray(0, at));
}

/** Which document of an event: its ECS document (0) or its raw record (1). */
export type DocumentPart = 0 | 1;

/** A decompressed block: entries are parsed on first access only. */
export class DecodedBlock {
  readonly #data: Buffer;
  readonly #count: number;
  readonly #parsed = new Map<number, unknown>();

  constructor(data: Buffer) {
    try {
      this.#data = uncompressSync(data);
    } catch (err) {
      throw new StoreError(`a stored event block is damaged: ${(err as Error).message}`, { cause: err });
    }
    this.#count = this.#data.length >= 4 ? this.#data.readUInt32LE(0) : 0;
    if (this.#data.length < 4 * (2 * this.#count + 2)) throw new StoreError('a stored event block is damaged: truncated header');
  }

  /** One document of the event in `slot`, parsed on first access; undefined for a slot the block does not have. */
  document(slot: number, part: DocumentPart): unknown {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#count) return undefined;
    const key = 2 * slot + part;
    let doc = this.#parsed.get(key);
    if (doc !== undefined) return doc;
    const body = 4 * (2 * this.#count + 2);
    const start = body + this.#data.readUInt32LE(4 * (key + 1));
    const end = body + this.#data.readUInt32LE(4 * (key + 2));
    try {
      doc = JSON.parse(this.#data.toString('utf8', start, end));
    } catch (err) {
      throw new StoreError(`a stored event is damaged: ${(err as Error).message}`, { cause: err });
    }
    this.#parsed.set(key, doc);
    return doc;
  }

  entry(slot: number): BlockEntry | undefined {
    const ecs = this.document(slot, 0);
    return ecs === undefined ? undefined : [ecs as EcsDocument, this.document(slot, 1) as AuditRecord];
  }
}

/** The last few decompressed blocks, so reading neighbouring events (one page, one scan) decompresses each block once. */
export class BlockCache {
  readonly #load: (id: number) => Buffer | undefined;
  readonly #blocks: LRUCache<number, DecodedBlock>;

  constructor(load: (id: number) => Buffer | undefined, size = 8) {
    this.#load = load;
    this.#blocks = new LRUCache({ max: size });
  }

  #block(block: number): DecodedBlock | undefined {
    let decoded = this.#blocks.get(block);
    if (!decoded) {
      const data = this.#load(block);
      if (!data) return undefined;
      decoded = new DecodedBlock(data);
      this.#blocks.set(block, decoded);
    }
    return decoded;
  }

  entry(block: number, slot: number): BlockEntry | undefined {
    return this.#block(block)?.entry(slot);
  }

  document(block: number, slot: number, part: DocumentPart): unknown {
    return this.#block(block)?.document(slot, part);
  }

  clear(): void {
    this.#blocks.clear();
  }
}
