import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleDrainer } from './cycle-drainer.ts';

test('queued blobs are drained while listing goes on, again after each new page, and once more after the listing', async () => {
  const log: string[] = [];
  const passes: Set<string>[] = [];
  const drainer = new CycleDrainer(async (tried) => {
    passes.push(tried);
    log.push('drain');
  });
  const running = drainer.run();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['drain'], 'the blobs already queued are fetched before the listing ends');
  log.push('page');
  drainer.kick();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ['drain', 'page', 'drain']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(log.length, 3, 'no pass without new blobs');
  drainer.listingDone();
  await running;
  assert.deepEqual(log, ['drain', 'page', 'drain', 'drain']);
  assert.ok(
    passes.every((p) => p === passes[0]),
    'one tried set per cycle',
  );
});
