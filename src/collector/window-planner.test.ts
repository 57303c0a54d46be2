import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LOOKBACK, planWindows } from './window-planner.ts';

const H = 3_600_000;
const D = 24 * H;
const now = Date.UTC(2026, 0, 10, 12, 0, 0, 500);
const base = { now, window: H, settleWindow: D, backfill: 7 * D, listingDelay: 30_000 };

function assertValid(windows: { start: number; end: number }[]): void {
  for (const [i, w] of windows.entries()) {
    assert.ok(w.end - w.start <= D && w.end > w.start, `window ${i} spans ${w.end - w.start}`);
    assert.ok(w.start >= now - 7 * D, 'starts within 7 days');
    assert.ok(w.end <= now, 'ends before now');
    assert.equal(w.start % 1000, 0);
    if (i > 0) assert.equal(w.start, windows[i - 1]?.end, 'contiguous');
  }
}

test('first run: backfill clamped to 7 days minus the margin, 1h windows up to now − delay', () => {
  const windows = planWindows({ ...base, listedThrough: undefined, backfill: 30 * D });
  assertValid(windows);
  assert.ok(windows[0]!.start > now - 7 * D && windows[0]!.start >= now - MAX_LOOKBACK);
  assert.equal(windows.at(-1)?.end, Math.floor((now - 30_000) / 1000) * 1000);
  assert.equal(windows.length, Math.ceil((windows.at(-1)!.end - windows[0]!.start) / H));
});

test('later polls re-list the settle window even when the cursor is recent', () => {
  const windows = planWindows({ ...base, listedThrough: now - 60_000 });
  assertValid(windows);
  assert.ok(windows[0]!.start <= now - D, 'goes back one settle window');
  assert.equal(windows.length, 25, '24 hours, on whole hours, plus the current partial hour');
});

test('a cursor older than 7 days is clamped; 24h windows are allowed, never more', () => {
  const windows = planWindows({ ...base, listedThrough: now - 30 * D, window: 48 * H });
  assertValid(windows);
  assert.ok(windows.every((w) => w.end - w.start <= D));
  assert.equal(windows.length, 8, 'the oldest partial day, 6 whole days, today so far');
});

test('windows lie on a fixed grid: a window keeps its start from one poll to the next', () => {
  const first = planWindows({ ...base, listedThrough: now - 60_000 });
  const later = planWindows({ ...base, now: now + 17 * 60_000, listedThrough: now - 60_000 });
  assertValid(first);
  assert.ok(first.every((w) => w.start % H === 0));
  const laterStarts = new Set(later.map((w) => w.start));
  assert.ok(first.slice(1).every((w) => laterStarts.has(w.start)));
  const grown = later.find((w) => w.start === first.at(-1)?.start);
  assert.ok(grown && grown.end > (first.at(-1)?.end ?? 0), 'the partial hour of the first poll is complete later, same start');
});

test('a short backfill with no settle window lists only recent time', () => {
  const windows = planWindows({ ...base, listedThrough: undefined, backfill: 2 * H, settleWindow: 0 });
  assertValid(windows);
  assert.equal(windows.length, 2);
});
