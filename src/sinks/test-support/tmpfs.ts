import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Fills the filesystem with a filler file (until ENOSPC); returns its path. */
  fill(): string;
  /** Deletes the filler file: space is back. */
  free(): void;
  unmount(): void;
}

/**
 * Mounts a real tmpfs of `bytes` in a new temp folder (needs root, as in CI). Returns a reason string
 * instead when mounting is not permitted, for `t.skip(reason)`.
 */
export function mountTmpfs(bytes: number): Tmpfs | string {
  const dir = mkdtempSync(join(tmpdir(), 'tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs (needs root): ${(err as Error).message.split('\n')[0]}`;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      try {
        // tmpfs rejects the write once full: what it stored stays, the rest of the disk is taken.
        writeFileSync(filler, Buffer.alloc(bytes));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      }
      return filler;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
