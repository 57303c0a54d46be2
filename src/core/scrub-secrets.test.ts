import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, secretsIn } from './secret.ts';
import { scrubSecrets } from './scrub-secrets.ts';

test('finds every Secret in nested configs', () => {
  const configs = [
    { type: 'sekoia', intake_key: new Secret('k1') },
    { type: 'http', headers: { 'X-Token': new Secret('t2') }, auth: [{ password: new Secret('p3') }], path: 'plain' },
  ];
  assert.deepEqual(secretsIn(configs).sort(), ['k1', 'p3', 't2']);
});

test('scrubs configured secrets, URL credentials and authorization values', () => {
  const message =
    'HTTP 400: key k1-long-value rejected at https://admin:hunter2@es.local:9200/_bulk with Authorization: Bearer abcdefghij.x and Splunk 0f1e2d3c-4b5a';
  assert.equal(
    scrubSecrets(message, ['k1-long-value']),
    'HTTP 400: key [redacted] rejected at https://[redacted]@es.local:9200/_bulk with Authorization: Bearer [redacted] and Splunk [redacted]',
  );
  assert.equal(scrubSecrets('connect ECONNREFUSED 127.0.0.1:9200', ['k1']), 'connect ECONNREFUSED 127.0.0.1:9200');
});

test('every constructed Secret is scrubbed everywhere, in its raw, JSON-escaped and URL-encoded forms', () => {
  const value = 'p@ss "word"+/~ 42';
  new Secret(value);
  const text = `raw ${value} json ${JSON.stringify(value)} url ${encodeURIComponent(value)} form ${new URLSearchParams({ v: value }).toString()}`;
  const scrubbed = scrubSecrets(text);
  assert.ok(!scrubbed.includes('word'), scrubbed);
  assert.equal(scrubbed, 'raw [redacted] json "[redacted]" url [redacted] form v=[redacted]');
  new Secret('short');
  assert.equal(
    scrubSecrets('a short word'),
    'a short word',
    'values under 6 characters are only scrubbed when passed explicitly',
  );
});

test('tokens, assertions, private keys and secret parameters are scrubbed whatever their value', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl';
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
  const text = `token ${jwt}; key ${JSON.stringify(pem)}; body client_secret=abc123&client_assertion=${jwt}&grant_type=client_credentials`;
  assert.equal(
    scrubSecrets(text),
    'token [redacted]; key "[redacted]"; body client_secret=[redacted]&client_assertion=[redacted]&grant_type=client_credentials',
  );
});
