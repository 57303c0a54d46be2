import { constants } from 'node:fs';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { writeFully } from '../disk-full.ts';

/** Two slots of [sequence: float64][offset: float64][in-flight end: float64, 0 if none][crc32 of the three: uint32]. */
const SLOT = 28;
const BODY = 24;

export interface Cursor {
  /** Offset of the next frame to deliver. */
  offset: number;
  /** End of the batch being delivered when the cursor was written: after a crash it is delivered again as the same batch. */
  inFlightEnd?: number;
}

/**
 * The spool's read cursor, rewritten in place in one of two checksummed slots (alternately), so moving it
 * needs no new disk space (it works on a full disk) and a torn write leaves the other slot valid.
 * A cursor file of the older format (the offset as text) is read once and replaced.
 */
export class CursorFile {
  readonly #path: string;
  #handle: FileHandle | undefined;
  #sequence = 0;

  constructor(path: string) {
    this.#path = path;
  }

  /** Reads the stored cursor (undefined when there is none) and keeps the file open for writes. */
  async open(): Promise<Cursor | undefined> {
    const data = await readFile(this.#path).catch(() => undefined);
    let offset: number | undefined;
    let inFlightEnd: number | undefined;
    if (data && data.length === 2 * SLOT) {
      const slots = [readSlot(data, 0), readSlot(data, SLOT)].filter((s) => s !== undefined);
      const newest = slots.sort((a, b) => b.sequence - a.sequence)[0];
      if (newest) [this.#sequence, offset, inFlightEnd] = [newest.sequence, newest.offset, newest.inFlightEnd];
    } else if (data && /^\s*\d+\s*$/.test(data.toString('utf8'))) {
      offset = Number(data.toString('utf8').trim());
    }
    this.#handle = await open(this.#path, constants.O_RDWR | constants.O_CREAT, 0o644);
    if ((await this.#handle.stat()).size !== 2 * SLOT) {
      await this.#handle.truncate(0);
      await writeFully(this.#handle, Buffer.alloc(2 * SLOT), 0);
      if (offset !== undefined) {
        await this.write({ offset }, true);
        await this.write({ offset }, true);
      }
    }
    if (offset === undefined || !Number.isSafeInteger(offset) || offset < 0) return undefined;
    return inFlightEnd && Number.isSafeInteger(inFlightEnd) && inFlightEnd > offset ? { offset, inFlightEnd } : { offset };
  }

  async write(cursor: Cursor, sync: boolean): Promise<void> {
    if (!this.#handle) throw new Error('cursor file is not open');
    this.#sequence += 1;
    const slot = Buffer.alloc(SLOT);
    slot.writeDoubleBE(this.#sequence, 0);
    slot.writeDoubleBE(cursor.offset, 8);
    slot.writeDoubleBE(cursor.inFlightEnd ?? 0, 16);
    slot.writeUInt32BE(crc32(slot.subarray(0, BODY)), BODY);
    await writeFully(this.#handle, slot, (this.#sequence % 2) * SLOT);
    if (sync) await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

function readSlot(data: Buffer, at: number): { sequence: number; offset: number; inFlightEnd: number } | undefined {
  const slot = data.subarray(at, at + SLOT);
  if (crc32(slot.subarray(0, BODY)) !== slot.readUInt32BE(BODY)) return undefined;
  const sequence = slot.readDoubleBE(0);
  return sequence > 0 ? { sequence, offset: slot.readDoubleBE(8), inFlightEnd: slot.readDoubleBE(16) } : undefined;
}
