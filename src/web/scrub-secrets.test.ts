import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret } from '../core/secret.ts';
import { scrubSecrets, secretsIn } from './scrub-secrets.ts';

test('finds every Secret in nested configs', () => {
  const configs = [
    { type: 'sekoia', intake_key: new Secret('k1') },
    { type: 'http', headers: { 'X-Token': new Secret('t2') }, auth: [{ password: new Secret('p3') }], path: 'plain' },
  ];
  assert.deepEqual(secretsIn(configs).sort(), ['k1', 'p3', 't2']);
});

test('scrubs configured secrets, URL credentials and authorization values', () => {
  const message =
    'HTTP 400: key k1-long-value rejected at https://admin:hunter2@es.local:9200/_bulk with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.x and Splunk 0f1e2d3c-4b5a';
  assert.equal(
    scrubSecrets(message, ['k1-long-value']),
    'HTTP 400: key [redacted] rejected at https://[redacted]@es.local:9200/_bulk with Authorization: Bearer [redacted] and Splunk [redacted]',
  );
  assert.equal(scrubSecrets('connect ECONNREFUSED 127.0.0.1:9200', ['k1']), 'connect ECONNREFUSED 127.0.0.1:9200');
});
