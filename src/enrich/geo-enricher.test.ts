import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GeoDatabaseError } from './errors.ts';
import { createGeoEnricher } from './geo-enricher.ts';

const enricher = createGeoEnricher();

test('well-known public IPv4 addresses get their country code and name', () => {
  const cases: Array<[string, string, string]> = [
    ['90.84.12.7', 'FR', 'France'], // Orange France
    ['84.137.20.1', 'DE', 'Germany'], // Deutsche Telekom
    ['86.150.3.4', 'GB', 'United Kingdom'], // BT
    ['73.162.8.9', 'US', 'United States'], // Comcast
    ['95.165.1.2', 'RU', 'Russia'], // Rostelecom
    ['117.136.0.9', 'CN', 'China'], // China Mobile
    ['175.45.176.10', 'KP', 'North Korea'], // Star JV
    ['105.112.4.4', 'NG', 'Nigeria'], // Airtel Nigeria
  ];
  for (const [ip, code, name] of cases) {
    const doc: Record<string, unknown> = { source: { ip } };
    enricher.enrich(doc);
    assert.deepEqual(doc, { source: { ip, geo: { country_iso_code: code, country_name: name } } }, ip);
  }
});

test('IPv6 addresses are located too', () => {
  const doc: Record<string, unknown> = { source: { ip: '2a01:cb00:12:3400::1' } }; // Orange France
  enricher.enrich(doc);
  assert.deepEqual((doc.source as Record<string, unknown>).geo, { country_iso_code: 'FR', country_name: 'France' });
  assert.equal(enricher.lookup('2001:4860:4860::8888')?.country_iso_code, 'US'); // Google
});

test('private, loopback and documentation addresses are left alone', () => {
  for (const ip of [
    '10.0.0.1',
    '192.168.0.10',
    '127.0.0.1',
    '192.0.2.1',
    '198.51.100.20',
    '203.0.113.5',
    '2001:db8::7',
    'fe80::1',
  ]) {
    const doc: Record<string, unknown> = { source: { ip } };
    enricher.enrich(doc);
    assert.deepEqual(doc, { source: { ip } }, ip);
  }
});

test('client, destination and server ips are enriched; other objects and existing geo values are kept', () => {
  const doc: Record<string, unknown> = {
    client: { ip: '82.64.1.1' },
    destination: { ip: '24.5.6.7', geo: { country_iso_code: 'XX' } },
    server: { ip: '81.2.69.160', geo: { city_name: 'London' } },
    host: { ip: '90.84.12.7' },
  };
  enricher.enrich(doc);
  assert.deepEqual(doc, {
    client: { ip: '82.64.1.1', geo: { country_iso_code: 'FR', country_name: 'France' } },
    destination: { ip: '24.5.6.7', geo: { country_iso_code: 'XX' } },
    server: { ip: '81.2.69.160', geo: { city_name: 'London', country_iso_code: 'GB', country_name: 'United Kingdom' } },
    host: { ip: '90.84.12.7' },
  });
});

test('the fields option limits which objects are enriched', () => {
  const only = createGeoEnricher({ fields: ['client'] });
  const doc: Record<string, unknown> = { source: { ip: '90.84.12.7' }, client: { ip: '90.84.12.7' } };
  only.enrich(doc);
  assert.deepEqual(doc, {
    source: { ip: '90.84.12.7' },
    client: { ip: '90.84.12.7', geo: { country_iso_code: 'FR', country_name: 'France' } },
  });
});

test('lookups are cached up to the cache size, least recently used first out', () => {
  const small = createGeoEnricher({ cacheSize: 2 });
  const first = small.lookup('90.84.12.7');
  assert.equal(small.cacheSize, 1);
  assert.equal(small.lookup('90.84.12.7'), first, 'a cached lookup returns the same object');
  small.lookup('10.0.0.1');
  small.lookup('73.162.8.9');
  assert.equal(small.cacheSize, 2);
  assert.notEqual(small.lookup('90.84.12.7'), first, 'the evicted address is looked up again');
  assert.deepEqual(small.lookup('90.84.12.7'), first);
});

test('enriched documents do not share geo objects through the cache', () => {
  const a: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  const b: Record<string, unknown> = { source: { ip: '90.84.12.7' } };
  enricher.enrich(a);
  enricher.enrich(b);
  ((a.source as Record<string, unknown>).geo as Record<string, unknown>).country_name = 'changed';
  assert.equal(((b.source as Record<string, unknown>).geo as Record<string, unknown>).country_name, 'France');
});

test('garbage input never throws and changes nothing', () => {
  const inputs: unknown[] = [
    {},
    { source: null },
    { source: 'x' },
    { source: [] },
    { source: { ip: 12 } },
    { source: { ip: 'not an ip' } },
    { source: { ip: '1.2.3.4:80' } },
    { source: { ip: 'x'.repeat(10_000) } },
    { source: { ip: ['8.8.8.8'] } },
    { source: { ip: '8.8.8.8', geo: 'odd' } },
  ];
  for (const input of inputs) {
    const before = JSON.stringify(input);
    enricher.enrich(input as Record<string, unknown>);
    assert.equal(JSON.stringify(input), before);
  }
  assert.doesNotThrow(() => enricher.enrich(null as unknown as Record<string, unknown>));
  assert.equal(enricher.lookup(undefined), undefined);
});

test('an unreadable database is a GeoDatabaseError naming the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geo-'));
  try {
    const bad = join(dir, 'bad.mmdb');
    writeFileSync(bad, 'not an mmdb file');
    assert.throws(
      () => createGeoEnricher({ databasePath: bad }),
      (err: unknown) => err instanceof GeoDatabaseError && err.message.includes(bad),
    );
    assert.throws(() => createGeoEnricher({ databasePath: join(dir, 'missing.mmdb') }), GeoDatabaseError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
