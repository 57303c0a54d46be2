import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTimestamp, parseTimestamp, timestampMillis } from './timestamp.ts';

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
  assert.equal(normalizeTimestamp('2024-06-26T06:29:14Z'), '2024-06-26T06:29:14Z');
  for (const v of [
    '2024-00-10T00:00:00',
    '2024-13-10T00:00:00',
    '2024-06-00T00:00:00',
    '2024-06-32T00:00:00',
    '2024-06-26T24:00:00',
    '2024-06-26T23:60:00',
    '2024-06-26T23:59:60',
    '2024-06-26T23:59:61',
    '2024-02-30T00:00:00',
    '2023-02-29T00:00:00',
    '2024-04-31T00:00:00',
    '2O24-06-26T06:29:14',
    '2024-06-26T06:29:1x',
    '2024/06/26T06:29:14',
    '2024-06-26T06:29:14X',
    '2024-06-26T06-29-14',
  ])
    assert.equal(normalizeTimestamp(v), undefined, v);
});

test('impossible dates are rejected with the reason, never rolled over into another date', () => {
  const cases: Array<[string, RegExp]> = [
    ['2024-02-30T10:00:00', /day 30 does not exist in 2024-02/],
    ['2023-02-29T10:00:00Z', /day 29 does not exist in 2023-02/],
    ['1900-02-29 10:00:00', /day 29 does not exist in 1900-02/],
    ['2024-06-30T23:59:60', /second 60 does not exist/],
    ['2024-06-30T23:59:60.500Z', /second 60 does not exist/],
    ['2024-06-26T08:29:14+99:99', /offset \+99:99 does not exist/],
    ['2024-06-26T08:29:14+15:00', /offset \+15:00 does not exist/],
    ['2024-06-26T08:29:14-0560', /offset -0560 does not exist/],
    ['+012024-06-26T08:29:14Z', /expected yyyy-MM-dd/],
    ['-000001-06-26T08:29:14Z', /expected yyyy-MM-dd/],
    ['9999-12-31T23:59:59-01:00', /outside years 0000–9999/],
    ['0000-01-01T00:30:00+01:00', /outside years 0000–9999/],
    [`2024-06-26T08:29:14.${'1'.repeat(5_000_000)}Z`, /not a date \(5000021 characters\)/],
  ];
  for (const [text, reason] of cases) {
    const parsed = parseTimestamp(text);
    assert.equal(parsed.ok, false, text.slice(0, 40));
    if (!parsed.ok) assert.match(parsed.reason, reason, text.slice(0, 40));
    assert.equal(normalizeTimestamp(text), undefined, text.slice(0, 40));
    assert.equal(timestampMillis(text), undefined, text.slice(0, 40));
  }
});

test('possible edge dates are kept exactly (leap days, years 0000–0099, offsets up to ±14:00)', () => {
  assert.equal(normalizeTimestamp('2024-02-29T12:00:00'), '2024-02-29T12:00:00Z');
  assert.equal(normalizeTimestamp('2000-02-29T12:00:00'), '2000-02-29T12:00:00Z');
  assert.equal(normalizeTimestamp('0001-01-01T00:00:00+01:00'), '0000-12-31T23:00:00Z');
  assert.equal(normalizeTimestamp('0050-03-01T00:00:00Z'), '0050-03-01T00:00:00Z');
  assert.equal(normalizeTimestamp('2024-06-26T08:29:14+14:00'), '2024-06-25T18:29:14Z');
  assert.equal(normalizeTimestamp('2024-06-26T08:29:14.999999999-12:00'), '2024-06-26T20:29:14.999Z');
  assert.equal(timestampMillis('0050-03-01T00:00:00'), Date.parse('0050-03-01T00:00:00Z'));
  assert.equal(timestampMillis('2024-02-29T12:34:56'), Date.parse('2024-02-29T12:34:56Z'));
  assert.equal(timestampMillis('2024-02-29T12:34:56.789+01:00'), Date.parse('2024-02-29T11:34:56.789Z'));
});
