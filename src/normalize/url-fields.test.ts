import assert from 'node:assert/strict';
import { test } from 'node:test';
import { urlFields } from './url-fields.ts';

test('full https URL with path and query', () => {
  assert.deepEqual(urlFields('https://contoso.sharepoint.com/sites/Finance/Shared%20Documents/a.xlsx?web=1'), {
    original: 'https://contoso.sharepoint.com/sites/Finance/Shared%20Documents/a.xlsx?web=1',
    full: 'https://contoso.sharepoint.com/sites/Finance/Shared%20Documents/a.xlsx?web=1',
    scheme: 'https',
    domain: 'contoso.sharepoint.com',
    port: 443,
    path: '/sites/Finance/Shared%20Documents/a.xlsx',
    query: 'web=1',
    // ICANN section of the Public Suffix List only, like the reference.
    registered_domain: 'sharepoint.com',
    subdomain: 'contoso',
    top_level_domain: 'com',
  });
});

test('no path when the URL has none; explicit port kept; http default 80', () => {
  const bare = urlFields('http://example.com');
  assert.equal(bare.path, undefined);
  assert.equal(bare.port, 80);
  assert.equal(urlFields('https://example.com:8443/x').port, 8443);
  assert.equal(urlFields('https://example.com/').path, '/');
});

test('scheme-relative URL: domain parts and path only', () => {
  assert.deepEqual(urlFields('//clickonthis.example.com/api/phishing'), {
    original: '//clickonthis.example.com/api/phishing',
    domain: 'clickonthis.example.com',
    path: '/api/phishing',
    registered_domain: 'example.com',
    subdomain: 'clickonthis',
    top_level_domain: 'com',
  });
});

test('IP hosts have no registered domain; text that is not a URL stays original only', () => {
  const ip = urlFields('https://192.0.2.10/login');
  assert.equal(ip.domain, '192.0.2.10');
  assert.equal(ip.registered_domain, undefined);
  assert.deepEqual(urlFields('Not Available'), { original: 'Not Available' });
});
