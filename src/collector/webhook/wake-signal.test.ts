import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WakeSignal } from './wake-signal.ts';

test('a wake ends the wait early; a wake sent before the wait is kept; otherwise the wait times out unwoken', async () => {
  const signal = new WakeSignal();
  const never = new AbortController().signal;
  const waiting = signal.wait(60_000, never);
  signal.wake();
  assert.equal(await waiting, true);
  signal.wake();
  assert.equal(await signal.wait(60_000, never), true);
  assert.equal(await signal.wait(5, never), false);
  const abort = new AbortController();
  const aborted = signal.wait(60_000, abort.signal);
  abort.abort();
  assert.equal(await aborted, false);
});
