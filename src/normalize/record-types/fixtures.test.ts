import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuditRecord } from '../../core/audit-record.ts';
import { canonicalize } from '../canonical-json.ts';
import { normalize } from '../normalize.ts';
import { RECORD_TYPE_MAPPINGS } from './registry.ts';

/** One realistic record per mapped RecordType, with the document it must give: <RecordType>-<enum name>.json. */
const FIXTURES = new URL('../../../test/fixtures/record-types/', import.meta.url);

interface Fixture {
  input: AuditRecord;
  expected: Record<string, unknown>;
}

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));

test('every RecordType with a dedicated mapping has a fixture named after it', () => {
  const names = new Set(files);
  const missing = RECORD_TYPE_MAPPINGS.filter((m) => !names.has(`${m.recordType}-${m.name}.json`)).map((m) => m.recordType);
  assert.deepEqual(missing, []);
  assert.equal(files.length, RECORD_TYPE_MAPPINGS.length, 'a fixture for a RecordType that is not mapped');
});

for (const file of files) {
  test(`record-type fixture ${file}`, () => {
    const { input, expected } = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Fixture;
    assert.equal(input.RecordType, Number.parseInt(file, 10), 'the file name starts with the RecordType of its input');
    const before = structuredClone(input);
    const doc = normalize(input);
    assert.equal(doc.message, undefined, 'a mapped RecordType does not fall back to the raw message');
    assert.deepEqual(canonicalize(doc), canonicalize(expected));
    assert.deepEqual(input, before, 'normalize must not modify the record');
  });
}

const JUNK: unknown[] = [null, 0, -1, 'text', '__proto__', true, [], {}, [null], [{ Name: 1 }], { a: { b: [] } }, '{"x":'];

test('no family mapper throws, whatever the type of each field its fixture uses', () => {
  for (const file of files) {
    const { input } = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Fixture;
    for (const field of Object.keys(input)) {
      if (field === 'RecordType') continue;
      for (const value of JUNK) {
        const doc = normalize({ ...input, [field]: value } as AuditRecord);
        assert.equal(typeof JSON.stringify(doc), 'string', `${file} with ${field}=${JSON.stringify(value)}`);
      }
    }
  }
});
