import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRawRecord } from './parse-raw-record.ts';

function reason(input: unknown): string {
  const r = parseRawRecord(input);
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? '' : r.reason;
}

test('accepts an object and its JSON text', () => {
  const record = { CreationTime: '2024-01-01T00:00:00', RecordType: 15, Id: 'a' };
  const fromObject = parseRawRecord(record);
  assert.ok(fromObject.ok);
  assert.equal(fromObject.record, record);
  const fromText = parseRawRecord(JSON.stringify(record));
  assert.ok(fromText.ok);
  assert.deepEqual(fromText.record, record);
  assert.ok(parseRawRecord(Buffer.from(JSON.stringify(record))).ok);
});

test('bad JSON is named', () => {
  assert.match(reason('{"CreationTime": '), /^not JSON: /);
});

test('non-objects are named with what they are', () => {
  assert.equal(reason('[1,2]'), 'not an object (got an array)');
  assert.equal(reason('null'), 'not an object (got null)');
  assert.equal(reason('42'), 'not an object (got a number)');
  assert.equal(reason(true), 'not an object (got a boolean)');
});

test('missing or bad CreationTime', () => {
  assert.equal(reason({ RecordType: 1 }), 'missing CreationTime');
  assert.equal(reason({ CreationTime: '' }), 'missing CreationTime');
  assert.match(reason({ CreationTime: 'yesterday' }), /^bad CreationTime "yesterday"/);
  assert.match(reason({ CreationTime: 1700000000 }), /^bad CreationTime 1700000000/);
});

test('bad RecordType; numeric strings are tolerated', () => {
  assert.match(reason({ CreationTime: '2024-01-01T00:00:00', RecordType: 'Exchange' }), /^bad RecordType "Exchange"/);
  assert.ok(parseRawRecord({ CreationTime: '2024-01-01T00:00:00', RecordType: '15' }).ok);
});
