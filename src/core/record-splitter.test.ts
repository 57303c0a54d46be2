import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RECORD_BYTES, RecordSplitter, type RecordSplitterOptions, type SplitItem } from './record-splitter.ts';

/** Splits `input` fed in chunks cut at `cuts` (byte positions). */
function split(input: string | Buffer, cuts: number[] = [], options: RecordSplitterOptions = {}): SplitItem[] {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const items: SplitItem[] = [];
  const splitter = new RecordSplitter((item) => items.push(item), options);
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
    { index: 1, offset: 1, text: '{"a":1}', nesting: 1, lineBreak: false },
    { index: 2, offset: 8, error: 'unexpected "}" at byte 8', fatal: true },
  ]);
  const unclosed = split('[{"a":1} ');
  assert.deepEqual(unclosed[0], { index: 1, offset: 1, text: '{"a":1} ', nesting: 1, lineBreak: false });
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

const ARRAY_ONLY = { arrayOnly: true };
/** Each array record's text with how deep it nests and whether it spans lines. */
const shapes = (json: string) =>
  split(json, [], ARRAY_ONLY).map((i) => ('text' in i ? [i.text.trim(), i.nesting, i.lineBreak] : i.error));

test('array records carry how deep they nest and whether a line break stands between their tokens', () => {
  assert.deepEqual(shapes(' [ {"a" : 1} , null , "x,}" , -2.5e3 , [ {"b":2} ] , {"c":[[]]} ] '), [
    ['{"a" : 1}', 1, false],
    ['null', 0, false],
    ['"x,}"', 0, false],
    ['-2.5e3', 0, false],
    ['[ {"b":2} ]', 2, false],
    ['{"c":[[]]}', 3, false],
  ]);
  assert.deepEqual(shapes('[{"a":1},\n{"b":\n2}\n,\r\n{"c":"\\n"}]'), [
    ['{"a":1}', 1, false],
    ['{"b":\n2}', 1, true],
    ['{"c":"\\n"}', 1, false],
  ]);
  assert.deepEqual(shapes('[{"a":\r1}]'), [['{"a":\r1}', 1, true]]);
  const deep = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  assert.deepEqual(shapes(`[${deep(100)},${deep(101)}]`), [
    [deep(100), 100, false],
    [deep(101), 101, false],
  ]);
});

test('array only: anything but a JSON array is a fatal error saying what came instead', () => {
  const errors = (json: string) => split(json, [], ARRAY_ONLY).map((i) => ('error' in i ? [i.error, i.fatal] : i.text));
  assert.deepEqual(errors('{"Id":"1"}\n'), [['the input is not a JSON array ("{" at byte 0)', true]]);
  assert.deepEqual(errors('  '), [['the input is empty, not a JSON array', true]]);
  assert.deepEqual(errors(''), [['the input is empty, not a JSON array', true]]);
  assert.deepEqual(errors('[]'), []);
});

/** What splitting then parsing each record gives: every value, or undefined when any error came out. */
function elementValues(json: string, cuts: number[]): unknown[] | undefined {
  const items = split(json, cuts, ARRAY_ONLY);
  try {
    return items.map((i) => {
      if ('error' in i) throw new SyntaxError(i.error);
      return JSON.parse(i.text) as unknown;
    });
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The reference: one JSON.parse of the whole text, when it is an array. */
function wholeValues(json: string): unknown[] | undefined {
  try {
    const parsed = JSON.parse(json) as unknown;
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

test('array only, record by record accepts exactly what one JSON.parse of the whole accepts, with the same values, whatever the chunks (random mutations)', () => {
  let seed = 15;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const pieces = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '1', '-', 'e', 'true', 'null', 'é', '"a"', '{}', '[]'];
  const base = JSON.stringify([
    { Id: 'x', N: -1.5e2, L: [true, false, null, { D: 'a\\"b' }], S: 'é 😀', E: {} },
    'text',
    42,
    null,
    [1, [2]],
    { Id: 'y', Nested: { A: [[], {}] } },
  ]);
  let accepted = 0;
  for (let round = 0; round < 5000; round += 1) {
    const chars = [...base];
    for (let edits = 1 + random(3); edits > 0; edits -= 1) {
      const at = random(chars.length + 1);
      const kind = random(3);
      if (kind === 0) chars.splice(at, 1);
      else if (kind === 1) chars.splice(at, 0, pieces[random(pieces.length)] as string);
      else chars.splice(at, 1, pieces[random(pieces.length)] as string);
    }
    const json = round === 0 ? base : chars.join('');
    const length = Buffer.byteLength(json);
    const cuts = [random(length + 1), random(length + 1)].sort((a, b) => a - b);
    const expected = wholeValues(json);
    assert.deepEqual(elementValues(json, cuts), expected, `${json} cut at ${cuts}`);
    if (expected) accepted += 1;
  }
  assert.ok(accepted > 100, `some mutations stay valid JSON arrays (${accepted})`);
});
