import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { canonicalize } from './canonical-json.ts';
import { FIXTURE_DEVIATIONS } from './fixture-deviations.ts';
import { normalize } from './normalize.ts';
import { parseRawRecord } from './parse-raw-record.ts';

const FIXTURES = new URL('../../../shared/fixtures/intake-o365/', import.meta.url);

interface Fixture {
  input: { message: string };
  expected: Record<string, unknown>;
}

/** The reference harness comparison: drop message, sekoiaio.* and event.id, then canonicalize both sides. */
function comparable(doc: Record<string, unknown>): unknown {
  const copy = structuredClone(doc);
  delete copy.message;
  delete copy.sekoiaio;
  const event = copy.event as Record<string, unknown> | undefined;
  if (event !== undefined) {
    delete event.id;
    if (Object.keys(event).length === 0) delete copy.event;
  }
  return canonicalize(copy);
}

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split('.'))
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = doc;
  for (const key of parts.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  const last = parts[parts.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

if (!existsSync(FIXTURES)) {
  throw new Error(`fixture folder ${FIXTURES.pathname} is missing: shared/ must sit beside the repository`);
}
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('every deviation names an existing fixture', () => {
  for (const d of FIXTURE_DEVIATIONS) assert.ok(files.includes(d.fixture), `deviation for unknown fixture ${d.fixture}`);
});

test('every patched fixture is listed in the README deviation table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Normalization (ECS)'), readme.indexOf('## Detection'));
  for (const d of FIXTURE_DEVIATIONS)
    assert.ok(table.includes(d.fixture.replace(/\.json$/, '')), `README does not list the deviation on ${d.fixture}`);
});

test('the fixture folder is not empty', () => {
  assert.ok(files.length >= 50, `expected the intake-o365 fixtures, found ${files.length} files`);
});

for (const file of files) {
  test(`fixture ${file}`, () => {
    const fixture = JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as Fixture;
    const parsed = parseRawRecord(fixture.input.message);
    assert.ok(parsed.ok, `input rejected: ${parsed.ok ? '' : parsed.reason}`);
    const expected = structuredClone(fixture.expected);
    for (const d of FIXTURE_DEVIATIONS.filter((x) => x.fixture === file)) {
      assert.notDeepEqual(
        getPath(expected, d.path),
        d.value,
        `stale deviation ${d.path}: the reference already gives this value`,
      );
      setPath(expected, d.path, d.value);
    }
    const before = structuredClone(parsed.record);
    assert.deepEqual(comparable(normalize(parsed.record)), comparable(expected));
    assert.deepEqual(parsed.record, before, 'normalize must not modify the record');
  });
}
