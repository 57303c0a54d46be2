import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, parseRetryAfter } from '../core/retry-timing.ts';
import { TokenBucket } from './token-bucket.ts';

test('token bucket: a burst up to the per-minute budget, then one token per 60000/rate ms; pauses hold everyone', async () => {
  let now = 0;
  const bucket = new TokenBucket(120, () => now);
  for (let i = 0; i < 120; i += 1) await bucket.take();
  let taken = false;
  const waiting = bucket.take().then(() => (taken = true));
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(taken, false, 'the 121st request waits');
  now += 500;
  await waiting;
  assert.equal(taken, true);

  now += 60_000;
  bucket.pauseUntil(now + 5);
  let paused = true;
  const afterPause = bucket.take().then(() => (paused = false));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(paused, true);
  now += 5;
  await afterPause;
});

test('backoff: exponential, jittered within [ceiling/2, ceiling], capped; Retry-After in seconds or as a date', () => {
  assert.equal(backoffDelay(0, 100, 10_000, { random: () => 0 }), 50);
  assert.equal(backoffDelay(0, 100, 10_000, { random: () => 1 }), 100);
  assert.equal(backoffDelay(3, 100, 10_000, { random: () => 1 }), 800);
  assert.equal(backoffDelay(20, 100, 10_000, { random: () => 0.5 }), 7500);
  assert.equal(parseRetryAfter('2', 0), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter(undefined, 0), undefined);
});
