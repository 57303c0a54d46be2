import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrichmentSchema } from './config.ts';
import { GeoDatabaseError } from './errors.ts';
import { enricherFromConfig } from './from-config.ts';

test('the enrichment section defaults to GeoIP on with the bundled database', () => {
  const config = enrichmentSchema.parse(undefined);
  assert.deepEqual(config, { geoip: { enabled: true, cache_size: 10_000 } });
  const doc: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  enricherFromConfig(config)(doc);
  assert.equal(((doc.source as Record<string, unknown>).geo as Record<string, unknown>).country_iso_code, 'FR');
});

test('geoip.enabled: false leaves documents alone', () => {
  const doc: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  enricherFromConfig(enrichmentSchema.parse({ geoip: { enabled: false } }))(doc);
  assert.deepEqual(doc, { source: { ip: '90.84.12.7' } });
});

test('bad settings are named', () => {
  const bad = enrichmentSchema.safeParse({ geoip: { cache_size: 0, colour: 'x' } });
  assert.equal(bad.success, false);
  const paths = bad.error?.issues.map((i) => i.path.join('.')) ?? [];
  assert.ok(paths.includes('geoip.cache_size') && paths.includes('geoip'), JSON.stringify(paths));
  assert.throws(
    () => enricherFromConfig(enrichmentSchema.parse({ geoip: { database: '/nonexistent/x.mmdb' } })),
    GeoDatabaseError,
  );
});
