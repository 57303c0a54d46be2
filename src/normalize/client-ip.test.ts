import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeIp, parseClientIp } from './client-ip.ts';

test('IPv4 with and without a port', () => {
  assert.deepEqual(parseClientIp('203.0.113.5'), { ip: '203.0.113.5' });
  assert.deepEqual(parseClientIp('203.0.113.5:51000'), { ip: '203.0.113.5', port: 51000 });
});

test('IPv6 is lowercased and compressed', () => {
  assert.deepEqual(parseClientIp('2603:1026:C09:0834:0000:0000:0000:0005'), { ip: '2603:1026:c09:834::5' });
  assert.deepEqual(parseClientIp('FE80::'), { ip: 'fe80::' });
  assert.equal(normalizeIp('2001:DB8::1'), '2001:db8::1');
  assert.equal(normalizeIp('192.0.2.1'), '192.0.2.1');
});

test('bracketed IPv6 with and without a port', () => {
  assert.deepEqual(parseClientIp('[::1]:443'), { ip: '::1', port: 443 });
  assert.deepEqual(parseClientIp('[2001:DB8::5]'), { ip: '2001:db8::5' });
  assert.deepEqual(parseClientIp('[2001:db8::5]:8080'), { ip: '2001:db8::5', port: 8080 });
});

test('IPv4-mapped IPv6 becomes IPv4', () => {
  assert.deepEqual(parseClientIp('::ffff:198.51.100.7'), { ip: '198.51.100.7' });
  assert.deepEqual(parseClientIp('[::FFFF:198.51.100.7]:1234'), { ip: '198.51.100.7', port: 1234 });
});

test('empty and null placeholders give nothing', () => {
  for (const v of ['', '   ', '<null>', '<NULL>', null, undefined, 42]) assert.equal(parseClientIp(v), undefined, String(v));
});

test('a value that is not an IP is kept as an address only', () => {
  assert.deepEqual(parseClientIp('mail.contoso.com'), { address: 'mail.contoso.com' });
  assert.deepEqual(parseClientIp('999.1.1.1:80'), { address: '999.1.1.1:80' });
});

test('colon-bearing values that are not IPv6 or IPv4:port stay addresses', () => {
  assert.deepEqual(parseClientIp('host:8080'), { address: 'host:8080' });
  assert.deepEqual(parseClientIp('1.2.3.4:'), { address: '1.2.3.4:' });
  assert.deepEqual(parseClientIp('[not-an-ip]:443'), { address: '[not-an-ip]:443' });
  assert.deepEqual(parseClientIp('[1.2.3.4]:443'), { ip: '1.2.3.4', port: 443 });
  assert.deepEqual(parseClientIp('1.2.3.4:99999'), { ip: '1.2.3.4' });
  assert.deepEqual(parseClientIp('::'), { ip: '::' });
  assert.deepEqual(parseClientIp(' 2a01:CB00::1 '), { ip: '2a01:cb00::1' });
});
