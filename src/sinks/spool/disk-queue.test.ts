import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../observability/logger.ts';
import { tempDir } from '../test-support/events.ts';
import { DiskQueue } from './disk-queue.ts';
import { StorageFullError } from '../disk-full.ts';
import { mountTmpfs } from '../test-support/tmpfs.ts';

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
  const same = await again.read(100, 1 << 20);
  assert.deepEqual(text(same.frames), ['frame-3', 'frame-4', 'frame-5'], 'a batch not acknowledged is handed out again as is');
  await again.ack(same.next);
  assert.deepEqual(text((await again.read(100, 1 << 20)).frames), ['frame-6']);
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

const segments = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort();

test('a frame damaged in the middle of the spool is found on open and passed over; the frames after it are read', async () => {
  const dir = tempDir('dq');
  const q = await openQueue(dir);
  for (let n = 1; n <= 6; n++) await q.append(frame(n));
  await q.close();
  const first = join(dir, segments(dir)[0] as string);
  const bytes = readFileSync(first);
  bytes.writeUInt8((bytes[67] as number) ^ 0xff, 67); // a payload byte of frame 2: its checksum no longer matches
  writeFileSync(first, bytes);
  const again = await openQueue(dir);
  const all: Buffer[] = [];
  const damaged: Buffer[] = [];
  for (let guard = 0; guard < 20 && again.pendingBytes > 0; guard++) {
    const read = await again.read(100, 1 << 20);
    all.push(...read.frames);
    damaged.push(...read.damaged);
    await again.ack(read.next);
  }
  assert.deepEqual(text(all), ['frame-1', 'frame-3', 'frame-4', 'frame-5', 'frame-6']);
  assert.equal(damaged.length, 1);
  assert.match(damaged[0]?.toString() ?? '', /e-2-x/);
  await again.close();
});

test('misaligned bytes from a short write are skipped to the next intact frame instead of looping forever', async () => {
  const dir = tempDir('dq');
  const q = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
  await q.open();
  await q.append(frame(1));
  await q.close();
  const seg = join(dir, segments(dir)[0] as string);
  appendFileSync(seg, Buffer.from([0, 0, 0, 90, 1, 2, 3, 4, 65, 66, 67])); // a frame cut short by a full disk
  const again = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
  await again.open();
  assert.equal(again.end, 56, 'the torn tail is dropped on open');
  assert.equal(readFileSync(seg).length, 56);
  await again.append(frame(2));
  // The same garbage in the middle (the old format kept appending after a short write): found on open.
  await again.close();
  const bytes = readFileSync(seg);
  const middle = Buffer.concat([bytes.subarray(0, 56), Buffer.from([0, 0, 0, 90, 1, 2, 3]), bytes.subarray(56)]);
  writeFileSync(seg, middle);
  const third = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
  await third.open();
  const read = await third.read(100, 1 << 20);
  assert.deepEqual(text(read.frames), ['frame-1', 'frame-2']);
  assert.equal(read.damaged[0]?.length, 7);
  await third.ack(read.next);
  assert.equal(third.pendingBytes, 0);
  await third.close();
});

test('a full disk: a failed append is cut back and throws StorageFullError; the spool reads clean and appends again once space is back', async (t) => {
  const fs = mountTmpfs(96 * 1024);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const dir = join(fs.dir, 'spool');
    const q = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
    await q.open();
    await q.append(frame(1));
    const end = q.end;
    fs.fill();
    await assert.rejects(q.append(Buffer.alloc(200_000, 120)), (err: unknown) => err instanceof StorageFullError);
    assert.equal(q.end, end);
    assert.equal(statSync(join(dir, segments(dir)[0] as string)).size, end, 'nothing of the failed frame stays');
    const read = await q.read(10, 1 << 20);
    assert.deepEqual(text(read.frames), ['frame-1']);
    await q.ack(read.next); // the cursor moves in place: no new space needed
    fs.free();
    await q.append(frame(2));
    await q.close();
    const again = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
    await again.open();
    assert.deepEqual(text((await again.read(10, 1 << 20)).frames), ['frame-2']);
    await again.close();
  } finally {
    fs.unmount();
  }
});

test('a batch handed out and not acknowledged before a crash comes back as the same batch, even with more frames behind it', async () => {
  const dir = tempDir('dq');
  const q = await openQueue(dir);
  for (let n = 1; n <= 3; n++) await q.append(frame(n));
  const first = await q.read(2, 1 << 20);
  assert.deepEqual(text(first.frames), ['frame-1', 'frame-2']);
  for (let n = 4; n <= 6; n++) await q.append(frame(n));
  // "crash": no ack, no close (the lock is taken over since this process is the owner)
  const again = await openQueue(dir);
  const replay = await again.read(100, 1 << 20);
  assert.deepEqual(text(replay.frames), ['frame-1', 'frame-2']);
  assert.equal(replay.next, first.next);
  await again.ack(replay.next);
  assert.deepEqual(text((await again.read(100, 1 << 20)).frames), ['frame-3', 'frame-4', 'frame-5', 'frame-6']);
  await again.close();
});

test('a spool written by an earlier version (frames without checksums, cursor as text) is still read after the upgrade', async () => {
  const dir = tempDir('dq');
  const legacyFrame = (n: number): Buffer => {
    const payload = Buffer.from(JSON.stringify([{ n }]));
    const header = Buffer.alloc(4);
    header.writeUInt32BE(payload.length, 0);
    return Buffer.concat([header, payload]);
  };
  const old = Buffer.concat([1, 2, 3].map(legacyFrame));
  writeFileSync(join(dir, `${'0'.repeat(20)}.seg`), old);
  writeFileSync(join(dir, 'cursor'), String(legacyFrame(1).length)); // frame 1 was delivered
  const q = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
  await q.open();
  assert.equal(q.end, old.length, 'the committed positions of the old version stay valid');
  await q.append(Buffer.from(JSON.stringify([{ n: 4 }])));
  assert.equal(segments(dir).length, 2, 'new frames go to a new segment');
  await q.close();
  const again = new DiskQueue({ dir, segmentBytes: 1 << 20, logger: silentLogger });
  await again.open();
  const read = await again.read(100, 1 << 20);
  assert.deepEqual(
    read.frames.map((f) => JSON.parse(f.toString())[0].n),
    [2, 3, 4],
  );
  assert.deepEqual(read.damaged, []);
  await again.ack(read.next);
  assert.equal(again.pendingBytes, 0);
  await again.close();
});
