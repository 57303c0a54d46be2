import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './api-error.ts';
import { decodeNextPage, encodeNextPage, resolveContentWindow, type ContentWindow } from './content-window.ts';
import { parseApiTime } from './time-format.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const GRACE = HOUR;

function codeOf(result: ContentWindow | ApiError): string {
  return result instanceof ApiError ? result.code : 'ok';
}

describe('content listing window', () => {
  it('parses the documented formats as UTC and full ISO-8601 with Z, offsets and fractions', () => {
    assert.equal(parseApiTime('2026-03-10'), Date.parse('2026-03-10T00:00:00Z'));
    assert.equal(parseApiTime('2026-03-10T11:30'), Date.parse('2026-03-10T11:30:00Z'));
    assert.equal(parseApiTime('2026-03-10T11:30:15'), Date.parse('2026-03-10T11:30:15Z'));
    assert.equal(parseApiTime('2026-03-10T11:30:15Z'), Date.parse('2026-03-10T11:30:15Z'));
    assert.equal(parseApiTime('2026-03-10T11:30:15.619091+00:00'), Date.parse('2026-03-10T11:30:15.619Z'));
    assert.equal(parseApiTime('2026-03-10T13:30:15.5+02:00'), Date.parse('2026-03-10T11:30:15.500Z'));
    assert.equal(parseApiTime('2026-03-10T11:30:15.123Z'), Date.parse('2026-03-10T11:30:15.123Z'));
    for (const bad of ['yesterday', '2026-13-45', '10/03/2026', '2026-03-10 11:30', ''])
      assert.equal(parseApiTime(bad), undefined, bad);
  });

  it('accepts a valid window and defaults to the last 24 hours when both are omitted', () => {
    const w = resolveContentWindow('2026-03-10T10:00:00', '2026-03-10T11:00:00', NOW, GRACE);
    assert.equal(codeOf(w), 'ok');
    const d = resolveContentWindow(undefined, undefined, NOW, GRACE) as ContentWindow;
    assert.deepEqual([d.start, d.end], [NOW - 24 * HOUR, NOW]);
  });

  it('returns AF20055 for each invalid window, echoing StartTime/EndTime', () => {
    const only = resolveContentWindow('2026-03-10T10:00:00', undefined, NOW, GRACE);
    assert.equal(codeOf(only), 'AF20055');
    assert.equal(codeOf(resolveContentWindow(undefined, '2026-03-10T10:00:00', NOW, GRACE)), 'AF20055');
    const tooLong = resolveContentWindow('2026-03-09T10:00:00', '2026-03-10T10:00:01', NOW, GRACE);
    assert.equal(codeOf(tooLong), 'AF20055');
    assert.equal(
      codeOf(resolveContentWindow('2026-03-09T10:00:00', '2026-03-10T10:00:00', NOW, GRACE)),
      'ok',
      'exactly 24 h is allowed',
    );
    const reversed = resolveContentWindow('2026-03-10T11:00:00.5+00:00', '2026-03-10T10:00:00Z', NOW, GRACE) as ApiError;
    assert.equal(reversed.code, 'AF20055');
    assert.equal(reversed.status, 400);
    assert.match(reversed.message, /StartTime:2026-03-10T11:00:00\.5\+00:00, EndTime:2026-03-10T10:00:00Z$/);
    assert.equal(codeOf(resolveContentWindow('2026-03-10T10:00', '2026-03-10T10:00', NOW, GRACE)), 'AF20055', 'empty window');
  });

  it('allows starts up to 7 days + grace in the past, and future ends', () => {
    const sevenDays = 7 * 24 * HOUR;
    const iso = (ms: number) => new Date(ms).toISOString();
    assert.equal(codeOf(resolveContentWindow(iso(NOW - sevenDays - GRACE), iso(NOW - sevenDays), NOW, GRACE)), 'ok');
    assert.equal(codeOf(resolveContentWindow(iso(NOW - sevenDays - GRACE - 1000), iso(NOW - sevenDays), NOW, GRACE)), 'AF20055');
    assert.equal(
      codeOf(resolveContentWindow(iso(NOW - sevenDays - 1000), iso(NOW - sevenDays + HOUR), NOW, 0)),
      'AF20055',
      'no grace',
    );
    assert.equal(codeOf(resolveContentWindow(iso(NOW - HOUR), iso(NOW + 5 * HOUR), NOW, GRACE)), 'ok');
  });

  it('returns AF20002 for an unparsable date', () => {
    const r = resolveContentWindow('not-a-date', '2026-03-10T10:00:00', NOW, GRACE) as ApiError;
    assert.deepEqual([r.code, r.status], ['AF20002', 400]);
  });

  it('round-trips page tokens and rejects foreign ones', () => {
    const w = resolveContentWindow('2026-03-10T10:00:00', '2026-03-10T11:00:00', NOW, GRACE) as ContentWindow;
    const token = encodeNextPage(w, 42);
    assert.match(token, /^\d{10}R\d{12}$/);
    assert.equal(decodeNextPage(token, w, 100), 42);
    assert.equal(decodeNextPage(token, w, 10), undefined, 'beyond the end');
    assert.equal(decodeNextPage('2015101900R022885001761', w, 100), undefined);
    assert.equal(decodeNextPage('garbage', w, 100), undefined);
  });
});
