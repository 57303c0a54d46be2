import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastDeadLetter } from './dead-letter-tail.ts';

const dir = mkdtempSync(join(tmpdir(), 'dl-tail-'));
const line = (at: string, reason: string, detail: string, event: unknown) =>
  JSON.stringify({ at, sink: 's', reason, detail, event });

test('the newest entry of a dead-letter file, escapes decoded, without decoding the event', async () => {
  const path = join(dir, 'a.ndjson');
  const big = { Id: '2', pad: 'x'.repeat(300_000), nested: '{"at":"2000-01-01T00:00:00.000Z"' };
  writeFileSync(
    path,
    `${line('2026-11-24T12:00:00.000Z', 'too_large', 'old', { Id: '1' })}\n${line('2026-11-24T12:05:00.123Z', 'rejected', 'HTTP 401: {"message":"bad \\"key\\""}', big)}\n`,
  );
  assert.deepEqual(await lastDeadLetter(path), {
    at: Date.parse('2026-11-24T12:05:00.123Z'),
    reason: 'rejected',
    detail: 'HTTP 401: {"message":"bad \\"key\\""}',
  });
});

test('no file, an empty file, or a last line longer than the tail read give nothing', async () => {
  assert.equal(await lastDeadLetter(join(dir, 'missing.ndjson')), undefined);
  writeFileSync(join(dir, 'empty.ndjson'), '');
  assert.equal(await lastDeadLetter(join(dir, 'empty.ndjson')), undefined);
  const huge = join(dir, 'huge.ndjson');
  writeFileSync(
    huge,
    `${line('2026-11-24T12:00:00.000Z', 'rejected', 'older', {})}\n${line('2026-11-24T12:01:00.000Z', 'too_large', 'newest', { pad: 'y'.repeat(2 * 1024 * 1024) })}\n`,
  );
  assert.equal(await lastDeadLetter(huge), undefined, 'never reports an older entry as the newest');
});
