import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestLanes } from './request-lanes.ts';

test('control requests of all tenants are bounded together; blob downloads never wait behind them', async () => {
  const lanes = new RequestLanes(2);
  let running = 0;
  let peak = 0;
  const release: (() => void)[] = [];
  const control = () =>
    lanes.run('list', async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
    });
  const listings = Array.from({ length: 6 }, control);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(running, 2, 'two control requests in flight, four waiting');
  assert.equal(await lanes.run('blob', async () => 'fetched'), 'fetched', 'a blob download goes at once');
  while (release.length > 0) {
    release.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(listings);
  assert.equal(peak, 2);
});
