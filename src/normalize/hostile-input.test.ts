// Hostile input (issue 12, "A normalizer that never loses a record"): every record gives a document or a
// rejection with its reason — never an exception, a stack overflow, or a date rolled over into another one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { get } from './document.ts';
import { normalize } from './normalize.ts';
import { parseRawRecord } from './parse-raw-record.ts';
import { jsonTextOf, tooDeepUnder } from './record-shape.ts';
import { pushUnique } from './values.ts';
import { airRecordText, hostileRecords } from './test-support/hostile-records.ts';

for (const hostile of hostileRecords()) {
  test(`hostile record: ${hostile.name}`, () => {
    for (const input of [hostile.text, JSON.parse(hostile.text) as unknown]) {
      const parsed = parseRawRecord(input);
      if (hostile.expect === 'ok') {
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
        const doc = normalize(parsed.record);
        assert.ok(JSON.stringify(doc).length > 0);
        assert.equal(get(doc, 'office365.record_id'), parsed.record.Id);
      } else {
        assert.equal(parsed.ok, false);
        if (parsed.ok) continue;
        assert.match(parsed.reason, hostile.expect);
        // Records too deep to be kept as objects downstream are kept as their exact text.
        if (/nested deeper/.test(parsed.reason)) assert.equal(parsed.rawText, hostile.text);
      }
    }
  });
}

test('normalize() itself survives a deep record that bypassed parseRawRecord (message kept as text)', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = { a: deep };
  const record = { Id: 'x', CreationTime: '2025-01-01T00:00:00', RecordType: 9999, X: deep };
  const doc = normalize(record);
  assert.equal(doc.message, jsonTextOf(record));
  assert.ok((doc.message as string).startsWith('{"Id":"x","CreationTime":"2025-01-01T00:00:00","RecordType":9999,"X":{"a":'));
});

test('AIR with 100k entities: every distinct value kept once, in order', () => {
  const doc = normalize(JSON.parse(airRecordText('air', 100_000)));
  const subjects = get(doc, 'office365.investigation.email.subjects') as string[];
  assert.equal(subjects.length, 100_000);
  assert.equal(subjects[99_999], 'Invoice 99999');
  assert.equal((get(doc, 'office365.investigation.emails') as unknown[]).length, 100_000);
  assert.equal((get(doc, 'email.to.address') as unknown[]).length, 100_000);
  assert.equal(get(doc, 'url.original'), 'https://phish0.example/login');
});

test('a 400k-element array and 5 MB strings are mapped in full', () => {
  const [wide, long] = hostileRecords().filter((h) => h.name.startsWith('400k') || h.name.startsWith('5 MB'));
  const wideDoc = normalize(JSON.parse(wide?.text as string));
  assert.equal((get(wideDoc, 'office365.exchange.email.subjects') as unknown[]).length, 400_000);
  assert.equal((get(wideDoc, 'email.attachments') as unknown[]).length, 400_000);
  const longDoc = normalize(JSON.parse(long?.text as string));
  assert.equal((get(longDoc, 'user_agent.original') as string).length, 5_000_013);
  assert.equal(get(longDoc, 'user_agent.name'), 'Other');
  assert.equal((get(longDoc, 'url.original') as string).length, 5_000_012);
  assert.equal(get(longDoc, 'url.registered_domain'), undefined, 'a 5 MB host is not a DNS name');
});

test('tooDeepUnder names the top-level key; jsonTextOf matches JSON.stringify', () => {
  assert.equal(tooDeepUnder({ a: { b: {} }, c: 1 }, 3), undefined);
  assert.equal(tooDeepUnder({ a: 1, c: [[[[]]]] }, 3), 'c');
  assert.equal(tooDeepUnder([[[[]]]], 3), '(root)');
  const value = { s: 'a"\u2028\\', n: [1, -0.5, null, true, { x: [] }], e: {}, u: undefined, big: 1e21 };
  assert.equal(jsonTextOf(value), JSON.stringify(value));
  assert.equal(jsonTextOf([undefined, 'x']), JSON.stringify([undefined, 'x']));
  assert.equal(jsonTextOf('text'), '"text"');
});

test('pushUnique stays correct on long lists, also when the list is changed by other means', () => {
  const list: string[] = [];
  for (let i = 0; i < 100_000; i++) pushUnique(list, `v${i % 50_000}`);
  assert.equal(list.length, 50_000);
  assert.equal(list[49_999], 'v49999');
  list.push('direct');
  pushUnique(list, 'direct');
  pushUnique(list, 'v1');
  pushUnique(list, '');
  pushUnique(list, 'new');
  assert.equal(list.length, 50_002);
  assert.deepEqual(list.slice(-2), ['direct', 'new']);
});
