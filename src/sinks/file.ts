import { constants } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { Logger } from '../observability/logger.ts';
import { isDiskFull, StorageFullError, writeFully } from './disk-full.ts';
import { SinkError } from './errors.ts';
import { ndjsonPayload } from './ndjson-payload.ts';
import { parseFilePosition, RotationNames } from './file-rotation.ts';

export interface FileRotation {
  /** Rotate before a write once the active file holds this many bytes. */
  maxBytes?: number;
  /** Rotate before a write once the active file is this old (ms). */
  intervalMs?: number;
  /** Rotated files kept (oldest deleted first); unlimited when omitted. */
  maxFiles?: number;
}

export interface FileSinkOptions {
  name: string;
  path: string;
  logger: Logger;
  rotation?: FileRotation;
  now?: () => number;
}

/**
 * Appends one JSON document per line (NDJSON) and fsyncs before acknowledging.
 * Its position is the size of the active file after the last acknowledged write (`<generation>:<size>`
 * when rotating);
 * `open(position)` truncates anything written after a committed position, so a crash between write
 * and checkpoint never leaves a duplicate behind (the events are fetched and written again).
 * With rotation, the active file is renamed `<stem>-<generation><ext>` before a write once it is too
 * big or too old; if the committed position is in a file rotated since, that file is restored as the
 * active one (rotation only happens between writes, so this undoes exactly the uncommitted writes).
 */
export class FileSink implements Sink {
  readonly name: string;
  readonly #names: RotationNames;
  readonly #logger: Logger;
  readonly #rotation: FileRotation;
  readonly #now: () => number;
  #handle: FileHandle | undefined;
  #size = 0;
  #generation = 1;
  #createdAt = 0;
  /** The newest write failure, cleared by the next write that succeeds (health: the output is in error meanwhile). */
  #failure: { message: string; at: number } | undefined;
  /** A failed write could not be undone yet: the next write truncates back to `#size` first. */
  #dirty = false;

  constructor(options: FileSinkOptions) {
    this.name = options.name;
    this.#names = new RotationNames(options.path);
    this.#logger = options.logger;
    this.#rotation = options.rotation ?? {};
    this.#now = options.now ?? Date.now;
  }

  get #path(): string {
    return this.#names.active;
  }

  async open(committedPosition?: string): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    this.#generation = ((await this.#names.rotatedGenerations()).at(-1) ?? 0) + 1;
    const committed = committedPosition === undefined ? undefined : parseFilePosition(committedPosition);
    if (committedPosition !== undefined && !committed)
      throw new SinkError(this.name, `invalid file position "${committedPosition}"`);
    if (committed?.generation !== undefined && committed.generation < this.#generation)
      await this.#restoreGeneration(committed.generation);
    const size = await stat(this.#path).then(
      (s) => s.size,
      () => 0,
    );
    if (committed !== undefined && committed.size < size) {
      this.#logger.info(
        { sink: this.name, path: this.#path, from: size, to: committed.size },
        'discarding output written after the last checkpoint',
      );
      await truncate(this.#path, committed.size);
    } else if (committed !== undefined && committed.size > size) {
      this.#logger.warn(
        { sink: this.name, path: this.#path, size, committed: committed.size },
        'output file is shorter than its checkpoint (rotated or edited by hand?); appending',
      );
    }
    this.#handle = await openForWrite(this.#path);
    this.#dirty = false;
    const info = await this.#handle.stat();
    this.#size = info.size;
    this.#createdAt = info.size === 0 ? this.#now() : info.birthtimeMs || info.mtimeMs;
  }

  /** The committed position is in generation `generation`, rotated since: everything after it was never committed. */
  async #restoreGeneration(generation: number): Promise<void> {
    const source = this.#names.rotated(generation);
    const exists = await stat(source).then(
      () => true,
      () => false,
    );
    if (!exists) {
      this.#logger.warn(
        { sink: this.name, generation, path: source },
        'checkpointed output file is gone (deleted by retention?); appending to the current file',
      );
      return;
    }
    this.#logger.info(
      { sink: this.name, generation, current: this.#generation },
      'undoing rotations made after the last checkpoint',
    );
    for (const later of await this.#names.rotatedGenerations())
      if (later > generation) await rm(this.#names.rotated(later), { force: true });
    await rm(this.#path, { force: true });
    await rename(source, this.#path);
    this.#generation = generation;
  }

  /**
   * Appends the batch as whole lines and fsyncs. Every write's byte count is checked: a short or failed write
   * (disk full) is cut back to the last whole line before the error is thrown, so the file never holds half a
   * line and `position()` never runs past what is really stored.
   */
  async write(events: readonly OutputEvent[]): Promise<void> {
    if (!this.#handle) throw new SinkError(this.name, 'write before open');
    if (events.length === 0) return;
    const payload = ndjsonPayload(events);
    try {
      if (this.#dirty) await this.#cutBack();
      if (this.#shouldRotate()) await this.#rotate();
      const handle = this.#handle;
      try {
        await writeFully(handle, payload, this.#size);
        await handle.datasync();
      } catch (err) {
        this.#dirty = true;
        await this.#cutBack().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      const message = `cannot write ${this.#path}: ${(err as Error).message}`;
      this.#failure = { message, at: this.#now() };
      if (isDiskFull(err)) throw new StorageFullError(this.name, dirname(this.#path), message, { cause: err });
      throw err instanceof SinkError ? err : new SinkError(this.name, message, { cause: err });
    }
    this.#size += payload.length;
    this.#failure = undefined;
  }

  /** Truncates the active file back to the end of the last acknowledged write (truncating needs no free space). */
  async #cutBack(): Promise<void> {
    await this.#handle?.truncate(this.#size);
    await this.#handle?.datasync();
    this.#dirty = false;
  }

  /** The newest write failure while no write succeeded since (disk full, permissions), for the health page. */
  failure(): { message: string; at: number } | undefined {
    return this.#failure;
  }

  #shouldRotate(): boolean {
    if (this.#size === 0) return false;
    const { maxBytes, intervalMs } = this.#rotation;
    return (
      (maxBytes !== undefined && this.#size >= maxBytes) ||
      (intervalMs !== undefined && this.#now() - this.#createdAt >= intervalMs)
    );
  }

  async #rotate(): Promise<void> {
    const target = this.#names.rotated(this.#generation);
    let next: FileHandle;
    try {
      await rename(this.#path, target);
      // Creating the new file can fail (disk full): then the rotated one goes back, the sink is as before.
      next = await openForWrite(this.#path).catch(async (err: unknown) => {
        await rename(target, this.#path);
        throw err;
      });
    } catch (err) {
      throw new SinkError(this.name, `cannot rotate ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
    await this.#handle?.close();
    this.#handle = next;
    this.#logger.info({ sink: this.name, rotated: target, bytes: this.#size }, 'rotated output file');
    this.#generation += 1;
    this.#size = 0;
    this.#createdAt = this.#now();
    await this.#applyRetention();
  }

  async #applyRetention(): Promise<void> {
    const { maxFiles } = this.#rotation;
    if (maxFiles === undefined) return;
    const generations = await this.#names.rotatedGenerations();
    for (const generation of generations.slice(0, Math.max(0, generations.length - maxFiles))) {
      await rm(this.#names.rotated(generation), { force: true });
    }
  }

  /** `<size>` without rotation (the historical format), `<generation>:<size>` with it; compare with compareSinkPositions. */
  position(): string {
    const rotating = this.#rotation.maxBytes !== undefined || this.#rotation.intervalMs !== undefined;
    return rotating ? `${this.#generation}:${this.#size}` : String(this.#size);
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

/** Opens (creating) for positioned writes: not O_APPEND, so a write lands exactly at the acknowledged end. */
function openForWrite(path: string): Promise<FileHandle> {
  return open(path, constants.O_WRONLY | constants.O_CREAT, 0o644);
}
