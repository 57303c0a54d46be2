import { mkdir, open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { Logger } from '../observability/logger.ts';
import { SinkError } from './errors.ts';

export interface FileSinkOptions {
  name: string;
  path: string;
  logger: Logger;
}

/**
 * Appends one JSON document per line (NDJSON) and fsyncs before acknowledging.
 * Its position is the file size after the last acknowledged write; `open(position)` truncates
 * anything written after a committed position, so a crash between write and checkpoint never
 * leaves a duplicate behind (the events are fetched and written again).
 */
export class FileSink implements Sink {
  readonly name: string;
  readonly #path: string;
  readonly #logger: Logger;
  #handle: FileHandle | undefined;
  #size = 0;

  constructor(options: FileSinkOptions) {
    this.name = options.name;
    this.#path = options.path;
    this.#logger = options.logger;
  }

  async open(committedPosition?: string): Promise<void> {
    await mkdir(dirname(this.#path), { recursive: true });
    const size = await stat(this.#path).then((s) => s.size, () => 0);
    const committed = committedPosition === undefined ? undefined : Number(committedPosition);
    if (committed !== undefined && Number.isSafeInteger(committed) && committed < size) {
      this.#logger.info({ sink: this.name, path: this.#path, from: size, to: committed }, 'discarding output written after the last checkpoint');
      await truncate(this.#path, committed);
    } else if (committed !== undefined && committed > size) {
      this.#logger.warn({ sink: this.name, path: this.#path, size, committed }, 'output file is shorter than its checkpoint (rotated or edited by hand?); appending');
    }
    this.#handle = await open(this.#path, 'a');
    this.#size = (await this.#handle.stat()).size;
  }

  async write(events: readonly OutputEvent[]): Promise<void> {
    if (!this.#handle) throw new SinkError(this.name, 'write before open');
    if (events.length === 0) return;
    const payload = Buffer.from(events.map((e) => JSON.stringify(e.document)).join('\n') + '\n', 'utf8');
    try {
      await this.#handle.write(payload);
      await this.#handle.datasync();
    } catch (err) {
      throw new SinkError(this.name, `cannot write ${this.#path}: ${(err as Error).message}`, { cause: err });
    }
    this.#size += payload.length;
  }

  position(): string {
    return String(this.#size);
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
