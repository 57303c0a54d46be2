import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CATALOG_END, CATALOG_START, CatalogMarkersMissingError, renderRecordTypeCatalog, withCatalog } from './catalog.ts';
import { RECORD_TYPE_MAPPINGS } from './registry.ts';

const README = new URL('../../../README.md', import.meta.url);

test('README.md lists the RecordTypes of the registry (run `npm run docs:record-types` when this fails)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(withCatalog(readme), readme);
});

test('the catalog names every mapped RecordType once, with its enum name', () => {
  const catalog = renderRecordTypeCatalog();
  for (const m of RECORD_TYPE_MAPPINGS) assert.ok(catalog.includes(`${m.recordType} ${m.name}`), `${m.recordType} missing`);
  assert.match(catalog, new RegExp(`^${RECORD_TYPE_MAPPINGS.length} RecordTypes have a dedicated mapping`));
});

test('a README without the markers is an error, not a silent append', () => {
  assert.throws(() => withCatalog('# readme\n'), CatalogMarkersMissingError);
  assert.throws(() => withCatalog(`${CATALOG_END}\n${CATALOG_START}`), CatalogMarkersMissingError);
});
