import { chmodSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import lockfile from 'proper-lockfile';
import { IntakeError } from '../core/errors.ts';

/** Another live process holds the data folder. */
export class DataDirLockedError extends IntakeError {
  constructor(message: string) {
    super('DATA_DIR_LOCKED', message);
  }
}

/** The lock is refreshed this often; one older than STALE_MS is a dead process's (e.g. after SIGKILL) and is taken over. */
const UPDATE_MS = 2_000;
const STALE_MS = 6_000;

/**
 * Creates the data folder (0700) and locks it for this process, so a second process on the same folder stops with a
 * clear error instead of sharing spools, checkpoints and the store. A lock left by a killed process goes stale within
 * seconds; the start waits that long before giving up. Nothing is deleted either way.
 */
export async function lockDataDir(dataDir: string, onLost: (err: Error) => void): Promise<() => Promise<void>> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  try {
    return await lockfile.lock(dir, {
      lockfilePath: `${dir}/.lock`,
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: { retries: Math.ceil(STALE_MS / 1000) + 2, factor: 1, minTimeout: 1000, maxTimeout: 1000 },
      onCompromised: onLost,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new DataDirLockedError(
        `another o365-intake process is using the data folder ${dir} (lock ${dir}/.lock); stop it, or give this one its own data_dir`,
      );
    }
    throw err;
  }
}
