import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

/**
 * Names of a rotating NDJSON file: the active file is the configured path (`events.ndjson`), rotated
 * ones carry their generation (`events-000001.ndjson`, oldest first). The active file's generation is
 * one more than the newest rotated one.
 */
export class RotationNames {
  readonly active: string;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;
  readonly #pattern: RegExp;

  constructor(path: string) {
    this.active = path;
    this.#dir = dirname(path);
    this.#ext = extname(path);
    this.#stem = basename(path, this.#ext);
    const quote = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#pattern = new RegExp(`^${quote(this.#stem)}-(\\d{6,})${quote(this.#ext)}$`);
  }

  rotated(generation: number): string {
    return join(this.#dir, `${this.#stem}-${String(generation).padStart(6, '0')}${this.#ext}`);
  }

  /** Generations of the rotated files on disk, ascending. */
  async rotatedGenerations(): Promise<number[]> {
    const files = await readdir(this.#dir).catch(() => [] as string[]);
    return files
      .flatMap((f) => {
        const m = this.#pattern.exec(f);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
  }
}

/** A file sink position: the active file's generation and its committed size (`"<gen>:<size>"`; a bare size means the current generation). */
export interface FilePosition {
  generation?: number;
  size: number;
}

export function parseFilePosition(text: string): FilePosition | undefined {
  const m = /^(?:(\d+):)?(\d+)$/.exec(text);
  if (!m) return undefined;
  return m[1] === undefined ? { size: Number(m[2]) } : { generation: Number(m[1]), size: Number(m[2]) };
}
