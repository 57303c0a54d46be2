import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.ts';
import { SpoolInUseError } from '../errors.ts';

/** Bytes before each frame: the payload length, big-endian uint32. */
const HEADER = 4;
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
  /** Offset just after the last frame read: pass it to `ack` once they are delivered. */
  next: number;
}

/**
 * A durable FIFO of frames in segment files `<global offset>.seg`, with a read cursor in `cursor`.
 * Offsets are global byte positions across segments, so `end` is a stable position that
 * `truncateTo` can roll back to. Appends are fsynced before they count; consumed segments are deleted.
 * One writer and one reader at a time.
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
  #cursorSyncedAt = 0;

  constructor(options: DiskQueueOptions) {
    this.#dir = options.dir;
    this.#segmentBytes = options.segmentBytes;
    this.#logger = options.logger;
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

  /** Loads segments and cursor, drops a torn frame at the tail (crash mid-append). */
  async open(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await this.#lock();
    this.#segments = (await readdir(this.#dir))
      .flatMap((f) => {
        const m = SEGMENT.exec(f);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
    const last = this.#segments.at(-1);
    this.#end = last === undefined ? 0 : last + (await this.#validLength(last));
    const cursor = await readFile(join(this.#dir, CURSOR_FILE), 'utf8').then(
      (t) => (t.trim() ? Number(t.trim()) : undefined),
      () => undefined,
    );
    this.#head = cursor !== undefined && Number.isSafeInteger(cursor) ? cursor : (this.#segments[0] ?? 0);
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

  /** Length of the whole frames at the start of segment `base`; truncates anything after them. */
  async #validLength(base: number): Promise<number> {
    const path = join(this.#dir, segmentName(base));
    const size = (await stat(path)).size;
    const handle = await open(path, 'r');
    let offset = 0;
    try {
      const header = Buffer.alloc(HEADER);
      while (offset + HEADER <= size) {
        await handle.read(header, 0, HEADER, offset);
        const next = offset + HEADER + header.readUInt32BE(0);
        if (next > size) break;
        offset = next;
      }
    } finally {
      await handle.close();
    }
    if (offset < size) {
      this.#logger.warn({ segment: path, size, valid: offset }, 'spool segment ends with a torn frame; discarding it');
      await truncate(path, offset);
    }
    return offset;
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
      } else {
        await truncate(join(this.#dir, segmentName(base)), position - base);
        break;
      }
    }
    this.#end = position;
    const redelivered = Math.max(0, this.#head - position);
    if (redelivered > 0) {
      this.#head = position;
      await this.#writeCursor();
    }
    return redelivered;
  }

  /** Appends one frame and fsyncs; resolves with the new end offset. */
  async append(payload: Buffer): Promise<number> {
    if (!this.#writer || this.#end - this.#writer.base >= this.#segmentBytes) await this.#rotate();
    const writer = this.#writer as { base: number; handle: FileHandle };
    const header = Buffer.alloc(HEADER);
    header.writeUInt32BE(payload.length, 0);
    await writer.handle.writev([header, payload]);
    await writer.handle.datasync();
    this.#end += HEADER + payload.length;
    return this.#end;
  }

  async #rotate(): Promise<void> {
    await this.#closeWriter();
    const last = this.#segments.at(-1);
    const lastSize = last === undefined ? undefined : this.#end - last;
    const base = last !== undefined && lastSize !== undefined && lastSize < this.#segmentBytes ? last : this.#end;
    if (base !== last) this.#segments.push(base);
    this.#writer = { base, handle: await open(join(this.#dir, segmentName(base)), 'a') };
    if (base !== last) await this.#syncDir();
  }

  /** Reads whole frames from the cursor, up to `maxFrames` and about `maxBytes` (at least one). */
  async read(maxFrames: number, maxBytes: number): Promise<ReadResult> {
    const frames: Buffer[] = [];
    let offset = this.#head;
    let bytes = 0;
    while (offset < this.#end && frames.length < maxFrames && (frames.length === 0 || bytes < maxBytes)) {
      const base = this.#segmentOf(offset);
      const before = offset;
      const nextBase = this.#segments[this.#segments.indexOf(base) + 1];
      const handle = await open(join(this.#dir, segmentName(base)), 'r');
      try {
        const segmentEnd = Math.min(this.#end, base + (await handle.stat()).size);
        while (offset < segmentEnd && frames.length < maxFrames && (frames.length === 0 || bytes < maxBytes)) {
          const header = Buffer.alloc(HEADER);
          await handle.read(header, 0, HEADER, offset - base);
          const frame = Buffer.alloc(header.readUInt32BE(0));
          await handle.read(frame, 0, frame.length, offset - base + HEADER);
          frames.push(frame);
          bytes += frame.length;
          offset += HEADER + frame.length;
        }
        // A gap between segments (only after recovering from lost spool files): skip to the next one.
        if (offset >= segmentEnd && nextBase !== undefined && offset < nextBase) offset = nextBase;
      } finally {
        await handle.close();
      }
      if (offset === before) break;
    }
    return { frames, next: offset };
  }

  #segmentOf(offset: number): number {
    let found = this.#segments[0] ?? 0;
    for (const base of this.#segments) if (base <= offset) found = base;
    return found;
  }

  /**
   * Moves the cursor to `next` and deletes segments wholly before it. The cursor file is replaced
   * atomically every time but fsynced at most once per CURSOR_SYNC_MS (and on close): after a power
   * loss, up to that much already-delivered data is delivered again (at-least-once), never skipped.
   */
  async ack(next: number): Promise<void> {
    this.#head = next;
    await this.#writeCursor(Date.now() - this.#cursorSyncedAt >= CURSOR_SYNC_MS);
    while (this.#segments.length > 1 && (this.#segments[1] as number) <= next) {
      const base = this.#segments.shift() as number;
      await rm(join(this.#dir, segmentName(base)), { force: true });
    }
  }

  async #writeCursor(sync = true): Promise<void> {
    const tmp = join(this.#dir, `${CURSOR_FILE}.tmp`);
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(String(this.#head));
      if (sync) await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(tmp, join(this.#dir, CURSOR_FILE));
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
