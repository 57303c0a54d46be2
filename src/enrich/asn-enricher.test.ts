import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openAsnDatabase } from './asn-database.ts';
import { createAsnEnricher } from './asn-enricher.ts';
import { AsnDatabaseError } from './errors.ts';

/** A data folder holding the two CSV files of ip-location-db's layout. */
function folder(v4: string, v6 = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'asn-data-'));
  writeFileSync(join(dir, 'asn-ipv4-num.csv'), v4);
  writeFileSync(join(dir, 'asn-ipv6-num.csv'), v6);
  return dir;
}

const ip4 = (dotted: string) => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);

describe('the bundled ASN data', () => {
  const asn = createAsnEnricher();

  test('public IPv4 and IPv6 addresses get their autonomous system and its organization', () => {
    assert.deepEqual(asn.lookup('8.8.8.8'), { number: 15169, organization: { name: 'Google LLC' } });
    assert.equal(asn.lookup('2001:4860:4860::8888')?.number, 15169);
    assert.equal(asn.lookup('1.1.1.1')?.organization?.name, 'Cloudflare, Inc.');
    assert.equal(asn.lookup('::ffff:8.8.4.4')?.number, 15169);
  });

  test('private, documentation, malformed and non-string addresses get nothing', () => {
    for (const ip of ['10.1.2.3', '192.168.0.1', '203.0.113.9', '2001:db8::1', 'fe80::1', 'not an ip', '', 42, null])
      assert.equal(asn.lookup(ip), undefined, String(ip));
  });

  test('enrich() sets source/client/destination/server .as and keeps an existing one', () => {
    const doc: Record<string, any> = {
      source: { ip: '8.8.8.8' },
      client: { ip: '1.1.1.1' },
      server: { ip: '10.0.0.1' },
      destination: { ip: '8.8.8.8', as: { number: 1 } },
      user: { name: 'x' },
    };
    asn.enrich(doc);
    assert.deepEqual(doc.source.as, { number: 15169, organization: { name: 'Google LLC' } });
    assert.equal(doc.client.as.number, 13335);
    assert.equal(doc.server.as, undefined);
    assert.deepEqual(doc.destination.as, { number: 1 });
    doc.source.as.organization.name = 'changed';
    assert.equal(asn.lookup('8.8.8.8')?.organization?.name, 'Google LLC', 'documents get their own copy');
  });
});

describe('an ASN data folder', () => {
  test('quoted names (commas, doubled quotes), CRLF line ends and a range without a name are read', () => {
    const dir = folder(
      `${ip4('1.0.0.0')},${ip4('1.0.0.255')},13335,"Cloudflare, Inc."\r\n` +
        `${ip4('5.0.0.0')},${ip4('5.0.0.255')},64500,"The ""Quoted"" Net"\n` +
        `${ip4('6.0.0.0')},${ip4('6.0.0.255')},64501,\n`,
      // 2001:4860::/32 as decimal start and end
      '42541956101370907050197289607612071936,42541956180599069564461627201156022271,15169,Google LLC\n',
    );
    const db = openAsnDatabase(dir);
    assert.deepEqual(db.ranges, { v4: 3, v6: 1 });
    assert.deepEqual(db.lookup('1.0.0.7'), { number: 13335, organization: { name: 'Cloudflare, Inc.' } });
    assert.equal(db.lookup('5.0.0.1')?.organization?.name, 'The "Quoted" Net');
    assert.deepEqual(db.lookup('6.0.0.1'), { number: 64501 });
    assert.equal(db.lookup('2001:4860:ffff:ffff:ffff:ffff:ffff:ffff')?.number, 15169);
    assert.equal(db.lookup('2001:4861::'), undefined);
    assert.equal(db.lookup('4.0.0.1'), undefined, 'between ranges');
    assert.equal(db.lookup('1.0.1.0'), undefined, 'just past a range');
  });

  test('a range starting inside the previous one wins its part, and the rest of the previous one is kept', () => {
    const dir = folder(
      [
        [ip4('9.0.0.0'), ip4('9.0.255.255'), 100], // outer
        [ip4('9.0.16.0'), ip4('9.0.16.255'), 200], // nested inside the outer one
        [ip4('9.0.200.0'), ip4('9.1.0.255'), 300], // overlaps the outer one's tail
      ]
        .map((r) => `${r.join(',')},AS${r[2]}`)
        .join('\n'),
    );
    const db = openAsnDatabase(dir);
    const at = (ip: string) => db.lookup(ip)?.number;
    assert.deepEqual(
      ['9.0.0.1', '9.0.15.255', '9.0.16.0', '9.0.16.255', '9.0.17.0', '9.0.199.255', '9.0.200.0', '9.1.0.255', '9.1.1.0'].map(at),
      [100, 100, 200, 200, 100, 100, 300, 300, undefined],
    );
  });

  test('unusable data is refused with the file and the line', () => {
    const cases: [string, RegExp][] = [
      [`${ip4('1.0.0.0')},${ip4('1.0.0.255')}\n`, /asn-ipv4-num\.csv: line 1 does not have 4 fields/],
      [`1,2,3,a\nx,2,3,b\n`, /line 2 has a malformed number/],
      [`10,20,3,a\n5,8,3,b\n`, /line 2: ranges are not sorted by their start/],
      [`10,5,3,a\n`, /line 1: the range ends before it starts/],
      [`1,99999999999,3,a\n`, /line 1 has a malformed number/],
    ];
    for (const [csv, message] of cases) assert.throws(() => openAsnDatabase(folder(csv)), message);
    assert.throws(() => createAsnEnricher({ databaseFolder: '/nonexistent/asn' }), AsnDatabaseError);
  });
});
