import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from './file.ts';
import { isDiskFull, StorageFullError } from './disk-full.ts';
import { mountTmpfs } from './test-support/tmpfs.ts';
import { silentLogger } from '../observability/logger.ts';
import type { OutputEvent } from '../core/output-event.ts';

const ev = (n: number): OutputEvent => ({ id: `t:${n}`, kind: 'event', tenantId: 't', time: n, document: { n } });
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).n);

test('file sink appends NDJSON and reports its committed size as position', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-')), 'out', 'events.ndjson');
  const sink = new FileSink({ name: 'file', path, logger: silentLogger });
  await sink.open();
  await sink.write([ev(1), ev(2)]);
  const p1 = sink.position();
  await sink.write([ev(3)]);
  await sink.close();
  assert.deepEqual(lines(path), [1, 2, 3]);
  assert.equal(p1, String(readFileSync(path).indexOf('{"n":3}')));
});

test('lines with multi-byte characters, as received or serialized, are written whole; the position counts bytes', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-')), 'events.ndjson');
  const sink = new FileSink({ name: 'file', path, logger: silentLogger });
  await sink.open();
  const received = '{"UserId":"zoë@contoso.com","Subject":"Überweisung 💶 ok"}';
  await sink.write([
    { id: 't:1', kind: 'event', tenantId: 't', time: 1, document: {}, json: received },
    { id: 't:2', kind: 'event', tenantId: 't', time: 2, document: { city: 'İstanbul', note: '日本語' } },
  ]);
  await sink.close();
  const bytes = readFileSync(path);
  assert.equal(bytes.toString('utf8'), `${received}\n{"city":"İstanbul","note":"日本語"}\n`);
  assert.equal(sink.position(), String(bytes.length));
});

test('open(position) discards what was written after the committed position', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-')), 'events.ndjson');
  const first = new FileSink({ name: 'file', path, logger: silentLogger });
  await first.open();
  await first.write([ev(1)]);
  const committed = first.position();
  await first.write([ev(2)]); // "crash" before this write's checkpoint
  await first.close();
  const second = new FileSink({ name: 'file', path, logger: silentLogger });
  await second.open(committed);
  await second.write([ev(2)]);
  await second.close();
  assert.deepEqual(lines(path), [1, 2]);
});

const files = (dir: string) => readdirSync(dir).sort();

test('size rotation: the active file is renamed with its generation before the write that would grow it further', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-'));
  const path = join(dir, 'events.ndjson');
  const sink = new FileSink({ name: 'file', path, logger: silentLogger, rotation: { maxBytes: 15, maxFiles: 2 } });
  await sink.open();
  for (let n = 1; n <= 8; n++) await sink.write([ev(n), ev(n + 100)]); // 18 bytes per write: every write after the first rotates
  await sink.close();
  assert.deepEqual(files(dir), ['events-000006.ndjson', 'events-000007.ndjson', 'events.ndjson']);
  assert.deepEqual(lines(join(dir, 'events-000006.ndjson')), [6, 106]);
  assert.deepEqual(lines(path), [8, 108]);
  assert.equal(sink.position(), `8:${readFileSync(path).length}`);
});

test('time rotation uses the clock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-'));
  let now = 1_000_000;
  const sink = new FileSink({
    name: 'file',
    path: join(dir, 'out.ndjson'),
    logger: silentLogger,
    rotation: { intervalMs: 3_600_000 },
    now: () => now,
  });
  await sink.open();
  await sink.write([ev(1)]);
  now += 1_000;
  await sink.write([ev(2)]);
  now += 3_600_000;
  await sink.write([ev(3)]);
  await sink.close();
  assert.deepEqual(files(dir), ['out-000001.ndjson', 'out.ndjson']);
  assert.deepEqual(lines(join(dir, 'out-000001.ndjson')), [1, 2]);
  assert.deepEqual(lines(join(dir, 'out.ndjson')), [3]);
});

test('open(position) undoes rotations made after the committed position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-'));
  const path = join(dir, 'events.ndjson');
  const first = new FileSink({ name: 'file', path, logger: silentLogger, rotation: { maxBytes: 5 } });
  await first.open();
  await first.write([ev(1)]);
  const committed = first.position();
  await first.write([ev(2)]); // rotates, then writes: neither is committed
  await first.write([ev(3)]);
  await first.close();
  assert.equal(files(dir).length, 3);
  const second = new FileSink({ name: 'file', path, logger: silentLogger, rotation: { maxBytes: 5 } });
  await second.open(committed);
  assert.deepEqual(files(dir), ['events.ndjson']);
  assert.deepEqual(lines(path), [1]);
  await second.write([ev(2)]);
  await second.write([ev(3)]);
  await second.close();
  assert.deepEqual(files(dir), ['events-000001.ndjson', 'events-000002.ndjson', 'events.ndjson']);
  assert.deepEqual([1, 2].flatMap((g) => lines(join(dir, `events-00000${g}.ndjson`))).concat(lines(path)), [1, 2, 3]);
});

test('a full disk: the write fails with StorageFullError, the file keeps only whole lines and resumes once space is back', async (t) => {
  const fs = mountTmpfs(64 * 1024);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const path = join(fs.dir, 'events.ndjson');
    const sink = new FileSink({ name: 'file', path, logger: silentLogger });
    await sink.open();
    await sink.write([ev(1), ev(2)]);
    const committed = sink.position();
    fs.fill();
    const big = Array.from({ length: 2000 }, (_, i) => ({ ...ev(100 + i), document: { n: 100 + i, pad: 'x'.repeat(40) } }));
    await assert.rejects(sink.write(big), (err: unknown) => err instanceof StorageFullError && isDiskFull(err));
    assert.equal(sink.position(), committed, 'the position does not move past what is stored');
    assert.match(sink.failure()?.message ?? '', /no space left|ENOSPC|short write/i);
    assert.deepEqual(lines(path), [1, 2], 'no half line is left behind');
    fs.free();
    await sink.write([ev(3)]);
    assert.equal(sink.failure(), undefined);
    await sink.close();
    assert.deepEqual(lines(path), [1, 2, 3]);
    const reopened = new FileSink({ name: 'file', path, logger: silentLogger });
    await reopened.open(sink.position());
    await reopened.close();
    assert.deepEqual(lines(path), [1, 2, 3], 'the committed position matches the file after a restart');
  } finally {
    fs.unmount();
  }
});
