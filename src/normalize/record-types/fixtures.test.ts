import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { AuditRecord } from '../../core/audit-record.ts';
import { canonicalize } from '../canonical-json.ts';
import { normalize } from '../normalize.ts';
import { RECORD_TYPE_MAPPINGS } from './registry.ts';

/**
 * One realistic record per mapped RecordType, with the document it must give: <RecordType>-<enum name>.json, plus
 * variants of the same RecordType (another workload, another kind of operation): <RecordType>-<enum name>--<variant>.json.
 */
const FIXTURES = new URL('../../../test/fixtures/record-types/', import.meta.url);
const FIXTURE_NAME = /^(\d+)-([A-Za-z0-9]+)(?:--[a-z0-9-]+)?\.json$/;

interface Fixture {
  input: AuditRecord;
  expected: Record<string, unknown>;
}

const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10) || a.localeCompare(b));

test('every RecordType with a dedicated mapping has a fixture, and every fixture names a mapped RecordType', () => {
  const names = new Set(files);
  const missing = RECORD_TYPE_MAPPINGS.filter((m) => !names.has(`${m.recordType}-${m.name}.json`)).map((m) => m.recordType);
  assert.deepEqual(missing, []);
  const mapped = new Set(RECORD_TYPE_MAPPINGS.map((m) => `${m.recordType}-${m.name}`));
  for (const file of files) {
    const m = FIXTURE_NAME.exec(file);
    assert.ok(m !== null && mapped.has(`${m[1]}-${m[2]}`), `${file} does not name a mapped RecordType`);
  }
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
