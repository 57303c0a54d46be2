import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTimestamp, timestampMillis } from './timestamp.ts';

test('record dates become ISO 8601 UTC with Z', () => {
  assert.equal(normalizeTimestamp('2024-06-26T06:29:14'), '2024-06-26T06:29:14Z');
  assert.equal(normalizeTimestamp('2024-02-22 09:46:54Z'), '2024-02-22T09:46:54Z');
  assert.equal(normalizeTimestamp('0001-01-01T00:00:00'), '0001-01-01T00:00:00Z');
  assert.equal(normalizeTimestamp('2025-08-08T09:53:00.0000000Z'), '2025-08-08T09:53:00Z');
  assert.equal(normalizeTimestamp('2025-02-04T09:15:17.5752228Z'), '2025-02-04T09:15:17.575Z');
});

test('offsets are converted to UTC', () => {
  assert.equal(normalizeTimestamp('2024-06-26T08:29:14+02:00'), '2024-06-26T06:29:14Z');
  assert.equal(normalizeTimestamp('2024-06-26T00:29:14-0100'), '2024-06-26T01:29:14Z');
});

test('non-dates give undefined', () => {
  for (const v of ['', 'yesterday', '2024-13-01T00:00:00', '2024-06-26', '10/31/2024 1:31:45 PM', 20240626, null]) {
    assert.equal(normalizeTimestamp(v), undefined, String(v));
  }
});

test('timestampMillis gives epoch milliseconds', () => {
  assert.equal(timestampMillis('1970-01-01T00:00:01'), 1000);
  assert.equal(timestampMillis('bad'), undefined);
});

test('the plain yyyy-MM-ddTHH:mm:ss fast path applies the same checks as the full format', () => {
  assert.equal(normalizeTimestamp('2024-06-26T23:59:60'), '2024-06-26T23:59:60Z');
  assert.equal(normalizeTimestamp('2024-06-26T06:29:14Z'), '2024-06-26T06:29:14Z');
  for (const v of [
    '2024-00-10T00:00:00',
    '2024-13-10T00:00:00',
    '2024-06-00T00:00:00',
    '2024-06-32T00:00:00',
    '2024-06-26T24:00:00',
    '2024-06-26T23:60:00',
    '2024-06-26T23:59:61',
    '2O24-06-26T06:29:14',
    '2024-06-26T06:29:1x',
    '2024/06/26T06:29:14',
    '2024-06-26T06:29:14X',
    '2024-06-26T06-29-14',
  ])
    assert.equal(normalizeTimestamp(v), undefined, v);
});
