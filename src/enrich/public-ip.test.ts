import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicAddress } from './public-ip.ts';

test('public IPv4 and IPv6 addresses are looked up as they are', () => {
  assert.equal(publicAddress('8.8.8.8'), '8.8.8.8');
  assert.equal(publicAddress(' 90.84.12.7 '), '90.84.12.7');
  assert.equal(publicAddress('2a01:cb00:1:2::3'), '2a01:cb00:1:2::3');
});

test('an IPv4-mapped IPv6 address is looked up as its IPv4 address', () => {
  assert.equal(publicAddress('::ffff:90.84.12.7'), '90.84.12.7');
  assert.equal(publicAddress('::FFFF:10.0.0.1'), undefined);
});

test('private, shared, loopback, link-local, documentation, multicast and reserved ranges are not public', () => {
  for (const ip of [
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '127.0.0.1',
    '169.254.10.10',
    '0.0.0.0',
    '192.0.2.10',
    '198.51.100.7',
    '203.0.113.99',
    '198.18.0.1',
    '224.0.0.251',
    '255.255.255.255',
    '240.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    '2001:db8::1',
    'ff02::1',
    '2001:0:4136:e378::1',
  ])
    assert.equal(publicAddress(ip), undefined, ip);
  assert.equal(publicAddress('172.32.0.1'), '172.32.0.1');
  assert.equal(publicAddress('100.128.0.1'), '100.128.0.1');
});

test('garbage is not an address', () => {
  for (const value of [
    '',
    'not an ip',
    '1.2.3',
    '1.2.3.4:443',
    '[2a01:cb00::1]:443',
    '999.1.1.1',
    'fe80::1%eth0',
    42,
    null,
    undefined,
    {},
    ['8.8.8.8'],
  ]) {
    assert.equal(publicAddress(value), undefined, String(value));
  }
});
