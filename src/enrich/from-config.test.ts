import assert from 'node:assert/strict';
import { test } from 'node:test';
import { enrichmentSchema } from './config.ts';
import { AsnDatabaseError, GeoDatabaseError } from './errors.ts';
import { enricherFromConfig } from './from-config.ts';

test('the enrichment section defaults to GeoIP on with the bundled database', () => {
  const config = enrichmentSchema.parse(undefined);
  assert.deepEqual(config, { geoip: { enabled: true, cache_size: 10_000 }, asn: { enabled: true, cache_size: 10_000 } });
  const doc: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  enricherFromConfig(config)(doc);
  assert.equal(((doc.source as Record<string, unknown>).geo as Record<string, unknown>).country_iso_code, 'FR');
});

test('geoip and asn disabled leave documents alone', () => {
  const doc: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  enricherFromConfig(enrichmentSchema.parse({ geoip: { enabled: false }, asn: { enabled: false } }))(doc);
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

test('the ASN step is on by default and sets source.as; asn.enabled: false leaves it out', () => {
  const on: Record<string, any> = { source: { ip: '8.8.8.8' } };
  enricherFromConfig(enrichmentSchema.parse(undefined))(on);
  assert.deepEqual(on.source.as, { number: 15169, organization: { name: 'Google LLC' } });
  assert.equal(on.source.geo.country_iso_code, 'US');
  const off: Record<string, any> = { source: { ip: '8.8.8.8' } };
  enricherFromConfig(enrichmentSchema.parse({ asn: { enabled: false } }))(off);
  assert.equal(off.source.as, undefined);
  assert.equal(off.source.geo.country_iso_code, 'US');
  assert.throws(() => enricherFromConfig(enrichmentSchema.parse({ asn: { database: '/nonexistent/asn' } })), AsnDatabaseError);
});
