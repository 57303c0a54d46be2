import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../observability/logger.ts';
import { tempDir } from '../test-support/events.ts';
import { DiskQueue } from './disk-queue.ts';

const frame = (n: number): Buffer => Buffer.from(`frame-${n}-${'x'.repeat(40)}`);
const text = (frames: Buffer[]): string[] => frames.map((f) => f.toString().split('-').slice(0, 2).join('-'));

async function openQueue(dir: string): Promise<DiskQueue> {
  const q = new DiskQueue({ dir, segmentBytes: 200, logger: silentLogger });
  await q.open();
  return q;
}

test('frames come back in order across segments; consumed segments are deleted', async () => {
  const dir = tempDir('dq');
  const q = await openQueue(dir);
  for (let n = 1; n <= 10; n++) await q.append(frame(n));
  assert.ok(readdirSync(dir).filter((f) => f.endsWith('.seg')).length > 2);
  const first = await q.read(4, 1 << 20);
  assert.deepEqual(text(first.frames), ['frame-1', 'frame-2', 'frame-3', 'frame-4']);
  await q.ack(first.next);
  const rest = await q.read(100, 1 << 20);
  assert.deepEqual(text(rest.frames), ['frame-5', 'frame-6', 'frame-7', 'frame-8', 'frame-9', 'frame-10']);
  await q.ack(rest.next);
  assert.equal(q.pendingBytes, 0);
  assert.equal(readdirSync(dir).filter((f) => f.endsWith('.seg')).length, 1);
  await q.close();
});

test('the cursor and the data survive a reopen; a torn tail frame is discarded', async () => {
  const dir = tempDir('dq');
  const q = await openQueue(dir);
  for (let n = 1; n <= 5; n++) await q.append(frame(n));
  const { next } = await q.read(2, 1 << 20);
  await q.ack(next);
  const end = q.end;
  await q.close();
  const last = readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort()
    .at(-1) as string;
  appendFileSync(join(dir, last), Buffer.from([0, 0, 1, 0, 65, 66])); // header says 256 bytes, 2 written: crash mid-append
  const again = await openQueue(dir);
  assert.equal(again.end, end);
  assert.deepEqual(text((await again.read(100, 1 << 20)).frames), ['frame-3', 'frame-4', 'frame-5']);
  await again.append(frame(6));
  assert.deepEqual(text((await again.read(100, 1 << 20)).frames), ['frame-3', 'frame-4', 'frame-5', 'frame-6']);
  await again.close();
});

test('truncateTo drops the appends after a committed position, across segments', async () => {
  const dir = tempDir('dq');
  const q = await openQueue(dir);
  for (let n = 1; n <= 3; n++) await q.append(frame(n));
  const committed = q.end;
  for (let n = 4; n <= 9; n++) await q.append(frame(n));
  await q.close();
  const again = await openQueue(dir);
  assert.equal(await again.truncateTo(committed), 0);
  assert.equal(again.end, committed);
  await again.append(frame(4));
  assert.deepEqual(text((await again.read(100, 1 << 20)).frames), ['frame-1', 'frame-2', 'frame-3', 'frame-4']);
  await again.close();
});

test('a spool folder held by another live process is refused; a stale lock is taken over', async () => {
  const { spawnSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const { SpoolInUseError } = await import('../errors.ts');
  const dir = tempDir('dq');
  writeFileSync(join(dir, 'lock'), String(process.ppid));
  await assert.rejects(
    openQueue(dir),
    (err: unknown) => err instanceof SpoolInUseError && err.message.includes(String(process.ppid)),
  );
  const gone = spawnSync('true').pid;
  writeFileSync(join(dir, 'lock'), String(gone));
  const q = await openQueue(dir);
  await q.append(frame(1));
  await q.close();
  assert.ok(!readdirSync(dir).includes('lock'), 'lock released on close');
});
