import type { FileHandle } from 'node:fs/promises';
import { statfs } from 'node:fs/promises';
import { SinkError } from './errors.ts';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** True when `err` (or one of its causes) says the filesystem is full (ENOSPC, EDQUOT, SQLite's SQLITE_FULL). */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StorageFullError) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDiskFull(inner))) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
  }
  return false;
}

/**
 * A write to local storage (output file, disk spool) did not fit: nothing of it counts, the file was rolled
 * back to its last whole record. `dir` is where space is missing; the pipeline pauses collection until it is back.
 */
export class StorageFullError extends SinkError {
  readonly dir: string;
  constructor(sink: string, dir: string, message: string, options?: { cause?: unknown }) {
    super(sink, message, options);
    this.dir = dir;
  }
}

/** A write that stored fewer bytes than asked, without an error from the system. */
export class ShortWriteError extends Error {
  readonly code = 'ENOSPC';
  constructor(written: number, wanted: number) {
    super(`short write: ${written} of ${wanted} bytes stored (no space left on device?)`);
  }
}

/**
 * Writes all of `data` at `position` or throws: a short write (what a full filesystem does before ENOSPC)
 * continues where it stopped and throws ShortWriteError when the system stores nothing more.
 */
export async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new ShortWriteError(done, data.length);
    done += bytesWritten;
  }
}

/** Bytes available to an unprivileged writer in the filesystem holding `dir` (undefined if it cannot be read). */
export async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
