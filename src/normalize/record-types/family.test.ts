import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EcsDocument } from '../../core/processed-event.ts';
import { addRelated, eventTypeOf, familyMapper, modifiedProperties, nameValueObject, readPath, textList } from './family.ts';

test('event.type follows the verb of the operation, within what ECS allows for the category', () => {
  assert.deepEqual(eventTypeOf('PlanDeleted', 'file'), ['deletion']);
  assert.deepEqual(eventTypeOf('New-ComplianceSearch', 'configuration'), ['creation']);
  assert.deepEqual(eventTypeOf('Set-Mailbox', 'configuration'), ['change']);
  assert.deepEqual(eventTypeOf('SearchExported', 'configuration'), ['access']);
  assert.deepEqual(eventTypeOf('FileUploaded', 'file'), ['creation']);
  // "access" and "list" are nouns in these names, not verbs.
  assert.deepEqual(eventTypeOf('AccessRequestApproved', 'configuration'), ['info']);
  assert.deepEqual(eventTypeOf('TaskListShared', 'file'), ['info']);
  // database allows no creation/deletion; email only info; unknown categories give info.
  assert.deepEqual(eventTypeOf('DeleteRecord', 'database'), ['info']);
  assert.deepEqual(eventTypeOf('MessageDeleted', 'email'), ['info']);
  assert.deepEqual(eventTypeOf('Delete', 'constructor'), ['info']);
  assert.deepEqual(eventTypeOf(42, 'file'), ['info']);
  assert.deepEqual(eventTypeOf(`Delete${'x'.repeat(500)}`, 'file'), ['info']);
});

test('a field table converts and places each value; "?" targets keep a value already there', () => {
  const map = familyMapper({
    category: ['configuration'],
    fields: {
      'Nested.Name': 'office365.x.name:text',
      Count: 'office365.x.count:number',
      When: 'event.start:date',
      Ip: '?source.ip:ip',
      Flag: 'office365.x.flag:boolean',
      Names: 'office365.x.names:texts',
      Json: 'office365.x.json:json',
      Id: 'email.message_id:message_id',
      ModifiedProperties: 'office365.modified_properties:changes',
      Pairs: 'office365.x.pairs:pairs',
    },
  });
  const doc: EcsDocument = { source: { ip: '192.0.2.1' } };
  map(
    {
      Operation: 'PolicyUpdated',
      Nested: { Name: 7 },
      Count: '12',
      When: '2025-03-04 10:00:00',
      Ip: '198.51.100.1',
      Flag: 'True',
      Names: 'one',
      Json: '{"a":1}',
      Id: '<m@x>',
      ModifiedProperties: [{ Name: 'Mode', OldValue: '', NewValue: 'On' }, { OldValue: 'no name' }],
      Pairs: [
        { Name: 'k', Value: 'v' },
        { Name: 'k', Value: 'ignored' },
        { Name: 'e', Value: '' },
      ],
    },
    doc,
  );
  assert.deepEqual(doc, {
    source: { ip: '192.0.2.1' },
    event: { category: ['configuration'], type: ['change'], start: '2025-03-04T10:00:00Z' },
    office365: {
      x: { name: '7', count: 12, flag: true, names: ['one'], json: { a: 1 }, pairs: { k: 'v' } },
      modified_properties: [{ name: 'Mode', new_value: 'On' }],
    },
    email: { message_id: 'm@x' },
  });
});

test('an unknown conversion in a table is a programming error reported at load time', () => {
  assert.throws(() => familyMapper({ category: ['file'], fields: { A: 'a.b:nope' } }), /unknown conversion "nope"/);
});

test('helpers read own properties only and drop empty values', () => {
  assert.equal(readPath({ a: { b: 1 } }, ['a', 'b']), 1);
  assert.equal(readPath({ a: {} }, ['a', 'constructor']), undefined);
  assert.deepEqual(textList(['a', '', 3, 'b']), ['a', 'b']);
  assert.deepEqual(textList(''), []);
  assert.deepEqual(modifiedProperties('x'), []);
  assert.equal(nameValueObject([]), undefined);
  const pairs = nameValueObject([{ Name: '__proto__', Value: 'x' }]) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(pairs), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(pairs, '__proto__')?.value, 'x');
  const doc: EcsDocument = {};
  addRelated(doc, 'user', ['', undefined, 'a@x']);
  addRelated(doc, 'user', ['a@x', 'b@x']);
  addRelated(doc, 'hosts', []);
  assert.deepEqual(doc, { related: { user: ['a@x', 'b@x'] } });
});
