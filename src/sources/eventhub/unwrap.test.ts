import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unwrapBody, type UnwrapItem } from './unwrap.ts';

const records = (items: UnwrapItem[]) => items.map((item) => (item.ok ? item.record : { invalid: item.code }));

test('{"records": [...]} gives one item per record', () => {
  const body = Buffer.from(
    JSON.stringify({
      records: [
        { category: 'SignInLogs', a: 1 },
        { category: 'AuditLogs', a: 2 },
      ],
    }),
  );
  const { items, heartbeats } = unwrapBody(body);
  assert.deepEqual(records(items), [
    { category: 'SignInLogs', a: 1 },
    { category: 'AuditLogs', a: 2 },
  ]);
  assert.equal(heartbeats, 0);
});

test('a top-level array, a single object, an already decoded value and NDJSON are unwrapped', () => {
  assert.deepEqual(records(unwrapBody(Buffer.from('[{"a":1},{"b":2}]')).items), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(records(unwrapBody(Buffer.from('{"Id":"x","Operation":"Op"}')).items), [{ Id: 'x', Operation: 'Op' }]);
  assert.deepEqual(records(unwrapBody({ records: [{ c: 3 }] }).items), [{ c: 3 }]);
  assert.deepEqual(records(unwrapBody('{"d":4}').items), [{ d: 4 }]);
  assert.deepEqual(records(unwrapBody(Buffer.from('{"e":5}\n{"f":6}\n')).items), [{ e: 5 }, { f: 6 }]);
});

test('heartbeats are dropped and counted, at top level and inside records', () => {
  assert.deepEqual(unwrapBody(Buffer.from('{"type":"heartbeat"}')), { items: [], heartbeats: 1 });
  const { items, heartbeats } = unwrapBody(Buffer.from('{"records":[{"type":"Heartbeat"},{"a":1}]}'));
  assert.deepEqual(records(items), [{ a: 1 }]);
  assert.equal(heartbeats, 1);
});

test('invalid JSON is kept raw with an error code, never dropped', () => {
  const { items } = unwrapBody(Buffer.from('this is {not json'));
  assert.equal(items.length, 1);
  const item = items[0]!;
  assert.equal(item.ok, false);
  if (item.ok) return;
  assert.equal(item.code, 'EVENTHUB_INVALID_JSON');
  assert.equal(item.raw, 'this is {not json');
  assert.match(item.message, /not valid JSON/);
});

test('raw line breaks inside JSON strings (a known Azure bug) are repaired and flagged', () => {
  const { items } = unwrapBody(Buffer.from('{"records":[{"message":"line one\nline two"}]}'));
  assert.deepEqual(items, [{ ok: true, record: { message: 'line oneline two' }, sanitized: true }]);
});

test('non-object records and empty bodies are kept as invalid items', () => {
  const { items } = unwrapBody(Buffer.from('{"records":[42,"text",null,{"ok":1}]}'));
  assert.deepEqual(
    items.map((i) => (i.ok ? 'ok' : `${i.code}:${i.raw}`)),
    ['EVENTHUB_NOT_AN_OBJECT:42', 'EVENTHUB_NOT_AN_OBJECT:text', 'EVENTHUB_NOT_AN_OBJECT:null', 'ok'],
  );
  assert.equal(unwrapBody(Buffer.alloc(0)).items[0]?.ok, false);
  assert.deepEqual(
    unwrapBody(undefined).items.map((i) => !i.ok && i.code),
    ['EVENTHUB_EMPTY_BODY'],
  );
});
