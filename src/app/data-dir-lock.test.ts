import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirLockedError, lockDataDir } from './data-dir-lock.ts';

const LOCK_MODULE = new URL('./data-dir-lock.ts', import.meta.url).pathname;

test('a second process on the same data folder stops with a clear error and deletes nothing', { timeout: 60_000 }, async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'o365-lock-')), 'data');
  const unlock = await lockDataDir(dir, () => undefined);
  assert.equal(statSync(dir).mode & 0o777, 0o700, 'the data folder is private');
  writeFileSync(join(dir, 'state.db'), 'precious');
  // The holder is another live process here: it keeps refreshing the lock, so it never goes stale.
  const holder = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import('${LOCK_MODULE}').then(m => m.lockDataDir(${JSON.stringify(`${dir}-2`)}, () => {})).then(() => { console.log('locked'); setInterval(() => {}, 1000); })`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve()));
    await assert.rejects(
      lockDataDir(`${dir}-2`, () => undefined),
      (err: unknown) =>
        err instanceof DataDirLockedError && err.message.includes(`${dir}-2`) && /another o365-intake process/.test(err.message),
    );
    await assert.rejects(
      lockDataDir(dir, () => undefined),
      DataDirLockedError,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['.lock', 'state.db']);

    // A holder killed with SIGKILL leaves its lock behind; it goes stale and the next start takes it over.
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const takeover = await lockDataDir(`${dir}-2`, () => undefined);
    await takeover();
    assert.ok(!existsSync(join(`${dir}-2`, '.lock')), 'unlocking removes the lock');
  } finally {
    holder.kill('SIGKILL');
    await unlock();
  }
});
