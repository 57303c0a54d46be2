import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RECORD_BYTES, RecordSplitter, type SplitItem } from './record-splitter.ts';

/** Splits `input` fed in chunks cut at `cuts` (byte positions). */
function split(input: string | Buffer, cuts: number[] = []): SplitItem[] {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const items: SplitItem[] = [];
  const splitter = new RecordSplitter((item) => items.push(item));
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    splitter.push(bytes.subarray(from, cut));
    from = cut;
  }
  splitter.end();
  return items;
}

const TRICKY = [
  '{"a":"]\\"},[,"}',
  '{"d":"x\\\\\\"y\\\\","e":"\\\\\\\\"}',
  '{"b":[1,{"c":"\\\\"}]}',
  '"text"',
  '42',
  '{"u":"é ☃ \\u2028"}',
];

test('a JSON array gives each element text with its byte offset, whatever the chunk boundaries', () => {
  const input = `\uFEFF \n[ ${TRICKY.join(' ,\n')} ]\n`;
  const expected = split(input);
  assert.deepEqual(
    expected.map((i) => ('text' in i ? JSON.parse(i.text) : i)),
    TRICKY.map((t) => JSON.parse(t)),
  );
  const bytes = Buffer.from(input);
  for (const item of expected) {
    assert.ok('text' in item);
    assert.equal(bytes.subarray(item.offset, item.offset + Buffer.byteLength(item.text)).toString(), item.text);
  }
  for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(split(bytes, [cut]), expected, `cut at ${cut}`);
  for (let cut = 2; cut < bytes.length; cut++) assert.deepEqual(split(bytes, [1, 2, cut]), expected, `cuts 1, 2, ${cut}`);
});

test('NDJSON: one record per line, blank lines skipped, CRLF and a byte order mark accepted', () => {
  const input = '\uFEFF{"a":1}\r\n\n  \n{"b":"x\\ny"}\n{"c":3}';
  const expected = split(input);
  assert.deepEqual(
    expected.map((i) => ('text' in i ? [i.index, JSON.parse(i.text)] : i)),
    [
      [1, { a: 1 }],
      [4, { b: 'x\ny' }],
      [5, { c: 3 }],
    ],
  );
  const bytes = Buffer.from(input);
  for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(split(bytes, [cut]), expected, `cut at ${cut}`);
});

test('data after the array: every record before it, then the error with its byte offset', () => {
  const items = split('[{"a":1},{"b":2}] {"c":3}');
  assert.equal(items.length, 3);
  assert.deepEqual(items[2], {
    index: 3,
    offset: 18,
    error: 'unexpected data after the end of the JSON array at byte 18 (after 2 records)',
    fatal: true,
  });
});

test('an array cut short, unbalanced brackets, empty elements', () => {
  const cut = split('[{"a":1},{"b":');
  assert.equal(cut.length, 2);
  assert.match(
    (cut[1] as { error: string }).error,
    /unexpected end of input at byte 14 inside record 2 \(which starts at byte 9\)/,
  );
  const unbalanced = split('[{"a":1}},{"b":2}]');
  assert.deepEqual(unbalanced, [
    { index: 1, offset: 1, text: '{"a":1}' },
    { index: 2, offset: 8, error: 'unexpected "}" at byte 8', fatal: true },
  ]);
  const unclosed = split('[{"a":1} ');
  assert.deepEqual(unclosed[0], { index: 1, offset: 1, text: '{"a":1} ' });
  assert.match((unclosed[1] as { error: string }).error, /^unexpected end of input at byte 9: the JSON array is not closed$/);
  const empty = split('[{"a":1},,{"b":2},]');
  assert.deepEqual(
    empty.map((i) => ('text' in i ? i.text : i.error)),
    [
      '{"a":1}',
      'empty record (a "," with no record before it) at byte 9',
      '{"b":2}',
      'a record is missing before "]" at byte 18 (trailing ",")',
    ],
  );
  assert.deepEqual(split('  [ ]  '), []);
  assert.deepEqual(split(''), []);
  assert.deepEqual(split('\uFEFF'), []);
});

test('a record over MAX_RECORD_BYTES is reported and skipped without being held; the next one is read', () => {
  for (const [open, separator, close] of [
    ['[', ',', ']'],
    ['', '\n', '\n'],
  ] as const) {
    const items: SplitItem[] = [];
    const splitter = new RecordSplitter((item) => items.push(item));
    splitter.push(Buffer.from(`${open}{"big":"`));
    const mebibyte = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i <= MAX_RECORD_BYTES / mebibyte.length; i++) splitter.push(mebibyte);
    splitter.push(Buffer.from(`"}${separator}{"next":1}${close}`));
    splitter.end();
    assert.deepEqual(
      items.map((i) => ('text' in i ? i.text.trim() : i.error)),
      [`record larger than ${MAX_RECORD_BYTES} bytes, skipped`, '{"next":1}'],
      JSON.stringify(open),
    );
  }
});
