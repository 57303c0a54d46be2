import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayElementSpans, JsonArrayError } from './element-texts.ts';

const texts = (json: string, maxDepth = 100) => {
  const bytes = Buffer.from(json);
  return arrayElementSpans(bytes, maxDepth).map((s) => ({ text: bytes.toString('utf8', s.start, s.end), line: s.lineText }));
};
const lineTexts = (json: string, maxDepth = 100) => texts(json, maxDepth).map((e) => (e.line ? e.text : undefined));

/** What the element-by-element parse gives: every element's value, or undefined where the whole text is not an array. */
function elementValues(json: string): unknown[] | undefined {
  try {
    return texts(json).map((e) => JSON.parse(e.text) as unknown);
  } catch (err) {
    if (err instanceof JsonArrayError || err instanceof SyntaxError) return undefined;
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

test('each object element comes back as its own text, which parses to the same value', () => {
  const records = [
    { Id: 'a', Name: 'quote " and backslash \\ and \\" both', Nested: { List: [1, { Deep: '[{' }], Empty: {} } },
    { Id: 'b', Text: 'ends in a backslash \\', Unicode: 'é 漢字 😀' },
    {},
  ];
  const got = lineTexts(JSON.stringify(records));
  assert.deepEqual(
    got,
    records.map((r) => JSON.stringify(r)),
  );
  assert.deepEqual(
    got.map((t) => JSON.parse(t as string)),
    records,
  );
});

test('whitespace between tokens is kept, elements that are not objects are delimited but get no line text', () => {
  assert.deepEqual(texts(' [ {"a" : 1} , null , "x,}" , -2.5e3 , [ {"b":2} ] , {"c":[]} ] '), [
    { text: '{"a" : 1}', line: true },
    { text: 'null', line: false },
    { text: '"x,}"', line: false },
    { text: '-2.5e3', line: false },
    { text: '[ {"b":2} ]', line: false },
    { text: '{"c":[]}', line: true },
  ]);
  assert.deepEqual(texts('[]'), []);
  assert.deepEqual(texts(' \r\n[\t] '), []);
});

test('an element spanning lines gets no line text; its neighbours keep theirs', () => {
  assert.deepEqual(lineTexts('[{"a":1},\n{"b":\n2}]'), ['{"a":1}', undefined]);
  assert.deepEqual(lineTexts('[{"a":\r1},{"b":2}]'), [undefined, '{"b":2}']);
});

test('an object nested deeper than the bound gets no line text; its neighbours keep theirs', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  assert.deepEqual(lineTexts(`[${deep(3)},${deep(4)},{"b":[[1]]},{"c":[[[1]]]}]`, 3), [
    deep(3),
    undefined,
    '{"b":[[1]]}',
    undefined,
  ]);
  assert.deepEqual(lineTexts(`[${deep(100)}]`), [deep(100)]);
  assert.deepEqual(lineTexts(`[${deep(101)}]`), [undefined]);
});

test('a body that is not one array, or whose array syntax is broken, is refused with where it broke', () => {
  const refused = (json: string, message: RegExp) =>
    assert.throws(
      () => arrayElementSpans(Buffer.from(json), 100),
      (err: unknown) => err instanceof JsonArrayError && message.test(err.message),
      json,
    );
  refused('', /not a JSON array \(the end of the body\)/);
  refused('{"Id":"1"}', /not a JSON array \("\{" at byte 0\)/);
  refused('[{"a":1}', /expected "," or "\]" after element 0, got the end of the body/);
  refused('[{"a":1},', /expected an element, got the end of the body/);
  refused('[{"a":1},]', /expected an element, got "\]" at byte 9/);
  refused('[,{"a":1}]', /expected an element, got "," at byte 1/);
  refused('[{"a":1} {"b":2}]', /expected "," or "\]" after element 0, got "\{" at byte 9/);
  refused('[{"a":"1}]', /element 0: a string is not closed/);
  refused('[{"a":[1}', /element 0 is not closed/);
  refused('[1] x', /unexpected "x" at byte 4 after the array/);
});

test('element by element accepts exactly what one JSON.parse of the whole accepts, with the same values (random mutations)', () => {
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
    const expected = wholeValues(json);
    assert.deepEqual(elementValues(json), expected, json);
    if (expected) accepted += 1;
  }
  assert.ok(accepted > 100, `some mutations stay valid JSON arrays (${accepted})`);
});
