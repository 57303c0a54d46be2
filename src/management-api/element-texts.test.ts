import { test } from 'node:test';
import assert from 'node:assert/strict';
import { objectElementTexts } from './element-texts.ts';

const textsOf = (json: string, maxDepth = 100) => objectElementTexts(json, (JSON.parse(json) as unknown[]).length, maxDepth);

test('each object element comes back as its own text, which parses to the same value', () => {
  const records = [
    { Id: 'a', Name: 'quote " and backslash \\ and \\" both', Nested: { List: [1, { Deep: '[{' }], Empty: {} } },
    { Id: 'b', Text: 'ends in a backslash \\', Unicode: 'é 漢字 😀' },
    {},
  ];
  const json = JSON.stringify(records);
  const texts = textsOf(json);
  assert.deepEqual(
    texts,
    records.map((r) => JSON.stringify(r)),
  );
  assert.deepEqual(
    texts?.map((t) => JSON.parse(t as string)),
    records,
  );
});

test('whitespace between tokens is kept, elements that are not objects get no text', () => {
  assert.deepEqual(textsOf(' [ {"a" : 1} , null , "x,}" , 2 , [ {"b":2} ] , {"c":[]} ] '), [
    '{"a" : 1}',
    undefined,
    undefined,
    undefined,
    undefined,
    '{"c":[]}',
  ]);
  assert.deepEqual(textsOf('[]'), []);
  assert.deepEqual(textsOf(' [ ] '), []);
});

test('no texts when an element would span lines, or when the count does not match', () => {
  assert.equal(textsOf('[{"a":1},\n{"b":2}]'), undefined);
  assert.equal(textsOf('[{"a":\r1}]'), undefined);
  assert.equal(objectElementTexts('[{"a":1},{"b":2}]', 3, 100), undefined);
  assert.equal(objectElementTexts('[{"a":1},{"b":2}]', 1, 100), undefined);
});

test('an object nested deeper than the bound gets no text; its neighbours keep theirs', () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
  assert.deepEqual(textsOf(`[${deep(3)},${deep(4)},{"b":[[1]]},{"c":[[[1]]]}]`, 3), [
    deep(3),
    undefined,
    '{"b":[[1]]}',
    undefined,
  ]);
  assert.deepEqual(textsOf(`[${deep(100)}]`), [deep(100)]);
  assert.deepEqual(textsOf(`[${deep(101)}]`), [undefined]);
});
