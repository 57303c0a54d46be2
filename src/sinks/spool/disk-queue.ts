import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import { isDiskFull, StorageFullError, writeFully } from '../disk-full.ts';
import { SpoolInUseError } from '../errors.ts';
import { CursorFile } from './cursor-file.ts';
import { encodeFrame, FRAME_HEADER, frameAt, LEGACY_FRAME_HEADER, legacyLength, scanSegment } from './frames.ts';

const SEGMENT = /^(\d{20})\.seg$/;
const CURSOR_FILE = 'cursor';
const LOCK_FILE = 'lock';
const CURSOR_SYNC_MS = 1000;

const segmentName = (base: number): string => `${String(base).padStart(20, '0')}.seg`;

export interface DiskQueueOptions {
  dir: string;
  segmentBytes: number;
  logger: Logger;
}

export interface ReadResult {
  frames: Buffer[];
  /** Damaged stretches passed over (failed their checksum): the caller dead-letters them. */
  damaged: Buffer[];
  /** Offset just after the last frame read: pass it to `ack` once they are delivered. */
  next: number;
}

/**
 * A durable FIFO of frames in segment files `<global offset>.seg`, with a read cursor in `cursor`.
 * Offsets are global byte positions across segments, so `end` is a stable position that
 * `truncateTo` can roll back to. Each frame carries its length and CRC-32; appends are fsynced before they
 * count, and a short or failed append (disk full) is cut back before the error is thrown. `open` verifies
 * every segment: the reader passes over a damaged stretch to the next intact frame (reporting the damaged
 * bytes) instead of stopping there, and a torn tail (crash mid-append) is discarded.
 * Consumed segments are deleted. One writer and one reader at a time.
 */
export class DiskQueue {
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #logger: Logger;
  /** Base offsets of the segment files, ascending. */
  #segments: number[] = [];
  #end = 0;
  #head = 0;
  #writer: { base: number; handle: FileHandle } | undefined;
  /** An append failed and could not be cut back yet: the next append truncates to `#end` first. */
  #dirty = false;
  /** Damaged stretches [start, end) in global offsets, found by `open`'s verification or by a read. */
  #damaged: Array<{ start: number; end: number }> = [];
  readonly #cursor: CursorFile;
  /** Segments written in the format without checksums (before an upgrade): read as they are, never appended to. */
  #legacy = new Set<number>();
  /** End of the batch handed out by `read` and not acknowledged yet (kept in the cursor file). */
  #inFlightEnd: number | undefined;
  #cursorSyncedAt = 0;

  constructor(options: DiskQueueOptions) {
    this.#dir = options.dir;
    this.#segmentBytes = options.segmentBytes;
    this.#logger = options.logger;
    this.#cursor = new CursorFile(join(options.dir, CURSOR_FILE));
  }

  /** Offset after the last durable frame. */
  get end(): number {
    return this.#end;
  }

  /** Offset of the next frame to read. */
  get head(): number {
    return this.#head;
  }

  get pendingBytes(): number {
    return this.#end - this.#head;
  }

  /** Loads segments and cursor, verifies every frame, drops a torn tail (crash mid-append). */
  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await this.#lock();
    this.#segments = (await readdir(this.#dir))
      .flatMap((f) => {
        const m = SEGMENT.exec(f);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
    this.#damaged = [];
    this.#legacy = new Set();
    this.#dirty = false;
    this.#end = 0;
    for (const [i, base] of this.#segments.entries()) {
      const length = await this.#verify(base, i === this.#segments.length - 1);
      this.#end = base + length;
    }
    const cursor = await this.#cursor.open();
    this.#head = cursor?.offset ?? this.#segments[0] ?? 0;
    this.#inFlightEnd = cursor?.inFlightEnd !== undefined && cursor.inFlightEnd <= this.#end ? cursor.inFlightEnd : undefined;
    if (this.#head > this.#end) {
      this.#logger.warn(
        { dir: this.#dir, cursor: this.#head, end: this.#end },
        'spool cursor is past its data; starting from the end',
      );
      this.#head = this.#end;
    }
    if (this.#segments[0] !== undefined && this.#head < this.#segments[0]) this.#head = this.#segments[0];
  }

  /** Takes `lock` (our pid); a lock left by a process that no longer runs is taken over. */
  async #lock(): Promise<void> {
    const path = join(this.#dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      const handle = await open(path, 'wx').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return undefined;
        throw err;
      });
      if (handle) {
        try {
          await handle.writeFile(String(process.pid));
        } finally {
          await handle.close();
        }
        return;
      }
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw new SpoolInUseError(this.#dir, pid);
      if (pid !== process.pid) this.#logger.warn({ dir: this.#dir, pid }, 'taking over a spool lock left by a stopped process');
      await rm(path, { force: true });
    }
    throw new SpoolInUseError(this.#dir, 0);
  }

  /**
   * Checks every frame's CRC in segment `base`; returns the length up to the end of its last intact frame.
   * Damage followed by intact frames is recorded (the reader reports those bytes); damage after the last intact
   * frame is cut off: in the last segment that is a torn append that was never acknowledged.
   */
  async #verify(base: number, last: boolean): Promise<number> {
    const path = join(this.#dir, segmentName(base));
    const data = await readFile(path);
    const { validEnd, bad } = scanSegment(data);
    const legacy = validEnd === 0 && data.length > 0 ? legacyLength(data) : 0;
    if (legacy > 0 && (legacy === data.length || last)) {
      this.#logger.info({ segment: path }, 'spool segment from an earlier version (no checksums): read as it is');
      this.#legacy.add(base);
      if (legacy < data.length) await truncate(path, legacy);
      return legacy;
    }
    for (const range of bad) this.#damaged.push({ start: base + range.start, end: base + range.end });
    if (bad.length > 0)
      this.#logger.error(
        { segment: path, damagedBytes: bad.reduce((n, r) => n + r.end - r.start, 0) },
        'spool segment has damaged frames (checksum mismatch); they are skipped and dead-lettered',
      );
    if (validEnd < data.length && last) {
      this.#logger.warn(
        { segment: path, size: data.length, valid: validEnd },
        'spool segment ends with a torn frame; discarding it',
      );
      await truncate(path, validEnd);
      return validEnd;
    }
    if (validEnd < data.length) {
      this.#logger.error({ segment: path, size: data.length, valid: validEnd }, 'spool segment ends with damaged bytes');
      this.#damaged.push({ start: base + validEnd, end: base + data.length });
    }
    return data.length;
  }

  /**
   * Rolls back to `position` (an earlier `end`): frames after it are discarded. If the cursor was
   * past it, delivered frames will be appended and delivered again (returns how many bytes).
   */
  async truncateTo(position: number): Promise<number> {
    await this.#closeWriter();
    if (position > this.#end) {
      this.#logger.error(
        { dir: this.#dir, position, end: this.#end },
        'spool is shorter than its committed position (files deleted?): acknowledged events are missing; continuing after the committed position',
      );
      await (await open(join(this.#dir, segmentName(position)), 'a')).close();
      this.#segments.push(position);
      this.#end = position;
      await this.#syncDir();
      return 0;
    }
    for (const base of [...this.#segments].reverse()) {
      if (base >= position) {
        await rm(join(this.#dir, segmentName(base)), { force: true });
        this.#segments.pop();
        this.#legacy.delete(base);
      } else {
        await truncate(join(this.#dir, segmentName(base)), position - base);
        break;
      }
    }
    this.#end = position;
    this.#dirty = false;
    this.#damaged = this.#damaged.filter((r) => r.end <= position);
    if (this.#inFlightEnd !== undefined && this.#inFlightEnd > position) this.#inFlightEnd = undefined;
    const redelivered = Math.max(0, this.#head - position);
    if (redelivered > 0) {
      this.#head = position;
      await this.#writeCursor();
    }
    return redelivered;
  }

  /**
   * Appends one frame and fsyncs; resolves with the new end offset. A short or failed write is cut back to the
   * previous end before the error (StorageFullError when the disk is full) is thrown: nothing of it counts.
   */
  async append(payload: Buffer): Promise<number> {
    const frame = encodeFrame(payload);
    try {
      if (this.#dirty) await this.#cutBack();
      if (!this.#writer || this.#end - this.#writer.base >= this.#segmentBytes) await this.#rotate();
      const writer = this.#writer as { base: number; handle: FileHandle };
      try {
        await writeFully(writer.handle, frame, this.#end - writer.base);
        await writer.handle.datasync();
      } catch (err) {
        this.#dirty = true;
        await this.#cutBack().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      if (isDiskFull(err))
        throw new StorageFullError(this.#dir, this.#dir, `cannot append to the spool ${this.#dir}: ${(err as Error).message}`, {
          cause: err,
        });
      throw err;
    }
    this.#end += frame.length;
    return this.#end;
  }

  /** Truncates the active segment back to `#end` (needs no free space). */
  async #cutBack(): Promise<void> {
    const writer = this.#writer;
    if (writer) {
      await writer.handle.truncate(this.#end - writer.base);
      await writer.handle.datasync();
    }
    this.#dirty = false;
  }

  async #rotate(): Promise<void> {
    await this.#closeWriter();
    const last = this.#segments.at(-1);
    const lastSize = last === undefined ? undefined : this.#end - last;
    const base =
      last !== undefined && lastSize !== undefined && lastSize < this.#segmentBytes && !this.#legacy.has(last) ? last : this.#end;
    const handle = await open(join(this.#dir, segmentName(base)), constants.O_WRONLY | constants.O_CREAT, 0o644);
    this.#writer = { base, handle };
    if (base !== last) {
      this.#segments.push(base);
      await this.#syncDir();
    }
  }

  /**
   * Reads whole frames from the cursor, up to `maxFrames`, about `maxBytes` (at least one) and offset `until`. A frame that
   * fails its checksum, and anything up to the next intact frame, is returned in `damaged` and passed over.
   */
  async read(maxFrames: number, maxBytes: number, until = this.#end): Promise<ReadResult> {
    // A batch handed out before a crash and never acknowledged is handed out again exactly (same frames: same batch id).
    const replay = this.#inFlightEnd;
    if (replay !== undefined) [maxFrames, maxBytes] = [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER];
    const frames: Buffer[] = [];
    const damaged: Buffer[] = [];
    let offset = this.#head;
    let bytes = 0;
    const limit = Math.min(replay ?? until, this.#end);
    while (offset < limit && frames.length < maxFrames && (frames.length === 0 || bytes < maxBytes)) {
      const base = this.#segmentOf(offset);
      const before = offset;
      const nextBase = this.#segments[this.#segments.indexOf(base) + 1];
      const path = join(this.#dir, segmentName(base));
      const handle = await open(path, 'r');
      try {
        const fileEnd = base + (await handle.stat()).size;
        const segmentEnd = Math.min(limit, fileEnd);
        while (offset < segmentEnd && frames.length < maxFrames && (frames.length === 0 || bytes < maxBytes)) {
          const known = this.#damaged.find((r) => r.start <= offset && offset < r.end);
          const legacy = this.#legacy.has(base);
          const frame = known ? undefined : await readFrame(handle, offset - base, segmentEnd - base, legacy);
          if (frame === undefined) {
            const end = Math.min(segmentEnd, known?.end ?? (await this.#damageFrom(path, base, offset)));
            const raw = Buffer.alloc(end - offset);
            await handle.read(raw, 0, raw.length, offset - base);
            damaged.push(raw);
            offset = end;
            continue;
          }
          frames.push(frame);
          bytes += frame.length;
          offset += (legacy ? LEGACY_FRAME_HEADER : FRAME_HEADER) + frame.length;
        }
        // A gap between segments (only after recovering from lost spool files): skip to the next one.
        if (offset >= fileEnd && nextBase !== undefined && offset < nextBase && nextBase <= limit) offset = nextBase;
      } finally {
        await handle.close();
      }
      if (offset === before) break;
    }
    if (offset > this.#head && offset !== this.#inFlightEnd) {
      this.#inFlightEnd = offset;
      await this.#writeCursor(false);
    }
    return { frames, damaged, next: offset };
  }

  /** A frame at `offset` failed its checksum after `open` verified it: the damage runs to the next intact frame. */
  async #damageFrom(path: string, base: number, offset: number): Promise<number> {
    const data = await readFile(path);
    let next = offset - base + 1;
    while (next < data.length && frameAt(data, next) === undefined) next += 1;
    this.#logger.error({ dir: this.#dir, offset, bytes: next - (offset - base) }, 'spool frame damaged after it was verified');
    this.#damaged.push({ start: offset, end: base + next });
    return base + next;
  }

  #segmentOf(offset: number): number {
    let found = this.#segments[0] ?? 0;
    for (const base of this.#segments) if (base <= offset) found = base;
    return found;
  }

  /**
   * Moves the cursor to `next` and deletes segments wholly before it. The cursor is written (in place, see
   * CursorFile) before this resolves, so a process killed after it never delivers those frames again; it is
   * fsynced at most once per CURSOR_SYNC_MS (and on close): after a power loss, up to that much
   * already-delivered data is delivered again (at-least-once), never skipped.
   */
  async ack(next: number): Promise<void> {
    this.#head = next;
    if (this.#inFlightEnd !== undefined && this.#inFlightEnd <= next) this.#inFlightEnd = undefined;
    await this.#writeCursor(Date.now() - this.#cursorSyncedAt >= CURSOR_SYNC_MS);
    while (this.#segments.length > 1 && (this.#segments[1] as number) <= next) {
      const base = this.#segments.shift() as number;
      this.#legacy.delete(base);
      await rm(join(this.#dir, segmentName(base)), { force: true });
    }
    this.#damaged = this.#damaged.filter((r) => r.end > next);
  }

  async #writeCursor(sync = true): Promise<void> {
    await this.#cursor.write(
      this.#inFlightEnd === undefined ? { offset: this.#head } : { offset: this.#head, inFlightEnd: this.#inFlightEnd },
      sync,
    );
    if (sync) this.#cursorSyncedAt = Date.now();
  }

  async #syncDir(): Promise<void> {
    const handle = await open(this.#dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async #closeWriter(): Promise<void> {
    await this.#writer?.handle.close();
    this.#writer = undefined;
  }

  async close(): Promise<void> {
    await this.#closeWriter();
    if (this.#cursorSyncedAt > 0 || this.#head > 0) await this.#writeCursor(true);
    await this.#cursor.close();
    await rm(join(this.#dir, LOCK_FILE), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The payload of the intact frame at `at` (segment-relative), or undefined when it is torn or fails its checksum. */
async function readFrame(handle: FileHandle, at: number, size: number, legacy: boolean): Promise<Buffer | undefined> {
  const headerBytes = legacy ? LEGACY_FRAME_HEADER : FRAME_HEADER;
  if (at + headerBytes > size) return undefined;
  const header = Buffer.alloc(headerBytes);
  await handle.read(header, 0, headerBytes, at);
  const length = header.readUInt32BE(0);
  if (length === 0 || at + headerBytes + length > size) return undefined;
  const frame = Buffer.alloc(headerBytes + length);
  header.copy(frame);
  await handle.read(frame, headerBytes, length, at + headerBytes);
  if (legacy) return frame.subarray(headerBytes);
  return frameAt(frame, 0) === undefined ? undefined : frame.subarray(FRAME_HEADER);
}
