// `o365-intake normalize` run as a child process, the way users run it (issue 12).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hostileRecords } from '../normalize/test-support/hostile-records.ts';

const bin = new URL('../../bin/o365-intake.mjs', import.meta.url).pathname;

function normalizeCli(input: string | Buffer) {
  const res = spawnSync(process.execPath, [bin, 'normalize'], { input, maxBuffer: 1 << 30, timeout: 120_000 });
  assert.equal(res.signal, null, `killed by ${res.signal}: ${res.stderr}`);
  const stdout = res.stdout.toString('utf8');
  return {
    code: res.status,
    stdout,
    docs: stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>),
    stderr: res.stderr.toString('utf8'),
  };
}

const record = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Id: id,
    CreationTime: '2024-05-01T10:00:00',
    RecordType: 15,
    Operation: 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    UserId: 'bob@contoso.com',
    ClientIP: '198.51.100.7',
    ...extra,
  });

test('a UTF-8 byte order mark is accepted (JSON array and NDJSON)', () => {
  const array = normalizeCli(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`[${record('a')},${record('b')}]`)]));
  assert.equal(array.code, 0, array.stderr);
  assert.deepEqual(
    array.docs.map((d) => d.office365.record_id),
    ['a', 'b'],
  );
  const ndjson = normalizeCli(`\uFEFF${record('c')}\n${record('d')}\n`);
  assert.equal(ndjson.code, 0, ndjson.stderr);
  assert.deepEqual(
    ndjson.docs.map((d) => d.office365.record_id),
    ['c', 'd'],
  );
});

test('a JSON array with trailing garbage: every complete record, then the error with its byte offset', () => {
  const body = `[${record('a')},\n${record('b')}]`;
  const res = normalizeCli(`${body}\n{"Id":"garbage"`);
  assert.equal(res.code, 1);
  assert.deepEqual(
    res.docs.map((d) => d.office365.record_id),
    ['a', 'b'],
  );
  const offset = Buffer.byteLength(body) + 1;
  assert.match(
    res.stderr,
    new RegExp(`input error: unexpected data after the end of the JSON array at byte ${offset} \\(after 2 records\\)`),
  );
});

test('U+2028 / U+2029 are escaped in the output', () => {
  const res = normalizeCli(`${record('a', { UserId: 'line\u2028sep\u2029para@contoso.com' })}\n`);
  assert.equal(res.code, 0, res.stderr);
  assert.ok(!res.stdout.includes('\u2028') && !res.stdout.includes('\u2029'), 'raw separators in the output');
  assert.ok(res.stdout.includes('line\\u2028sep\\u2029para@contoso.com'));
  assert.equal(res.docs[0]?.user.name, 'line\u2028sep\u2029para@contoso.com');
});

const hostile = hostileRecords();

/** Every hostile record is either a document or a reasoned error line; the record after them all comes out. */
function assertHostileOutcome(res: ReturnType<typeof normalizeCli>): void {
  assert.equal(res.code, 1);
  const ids = res.docs.map((d) => d.office365.record_id as string);
  const okIds = hostile.filter((h) => h.expect === 'ok').map((h) => (JSON.parse(h.text) as { Id: string }).Id);
  assert.deepEqual(ids, okIds);
  assert.equal(ids.at(-1), 'ok-2', 'the record after the hostile ones is normalized');
  for (const [i, h] of hostile.entries()) {
    if (h.expect === 'ok') continue;
    const line = res.stderr.split('\n').find((l) => l.startsWith(`record ${i + 1}: `));
    assert.ok(line, `no error line for record ${i + 1} (${h.name}) in:\n${res.stderr.slice(0, 2000)}`);
    assert.match(line, h.expect, h.name);
    assert.match(line, /\(at byte \d+\)$/, h.name);
  }
  assert.match(res.stderr, new RegExp(`normalized ${okIds.length} record\\(s\\), rejected ${hostile.length - okIds.length}`));
}

test('hostile NDJSON (deep, wide, 5 MB strings, 100k AIR entities, impossible dates): nothing lost, the CLI carries on', () => {
  assertHostileOutcome(normalizeCli(`${hostile.map((h) => h.text).join('\n')}\n`));
});

test('the same hostile records in a JSON array', () => {
  assertHostileOutcome(normalizeCli(`[${hostile.map((h) => h.text).join(',\n')}]`));
});
