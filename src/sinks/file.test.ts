import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from './file.ts';
import { silentLogger } from '../observability/logger.ts';
import type { OutputEvent } from '../core/output-event.ts';

const ev = (n: number): OutputEvent => ({ id: `t:${n}`, kind: 'event', tenantId: 't', time: n, document: { n } });
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).n);

test('file sink appends NDJSON and reports its committed size as position', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-')), 'out', 'events.ndjson');
  const sink = new FileSink({ name: 'file', path, logger: silentLogger });
  await sink.open();
  await sink.write([ev(1), ev(2)]);
  const p1 = sink.position();
  await sink.write([ev(3)]);
  await sink.close();
  assert.deepEqual(lines(path), [1, 2, 3]);
  assert.equal(Number(p1), readFileSync(path).indexOf('{"n":3}'));
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
