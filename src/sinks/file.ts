import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { Logger } from '../observability/logger.ts';
import { SinkError } from './errors.ts';
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
    this.#handle = await open(this.#path, 'a');
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

  async write(events: readonly OutputEvent[]): Promise<void> {
    if (!this.#handle) throw new SinkError(this.name, 'write before open');
    if (events.length === 0) return;
    if (this.#shouldRotate()) await this.#rotate();
    const handle = this.#handle;
    const payload = Buffer.from(`${events.map((e) => JSON.stringify(e.document)).join('\n')}\n`, 'utf8');
    try {
      await handle.write(payload);
      await handle.datasync();
    } catch (err) {
      throw new SinkError(this.name, `cannot write ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
    this.#size += payload.length;
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
    try {
      await this.#handle?.close();
      await rename(this.#path, target);
      this.#handle = await open(this.#path, 'a');
    } catch (err) {
      throw new SinkError(this.name, `cannot rotate ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
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
