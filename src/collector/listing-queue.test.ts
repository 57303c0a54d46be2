import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListingQueue } from './listing-queue.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('listing turns: at most `slots` at once for many streams; every stream gets its first turn before any its second', async () => {
  const queue = new ListingQueue(4);
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const finished: Promise<void>[] = [];
  for (let stream = 0; stream < 50; stream += 1) {
    let turn = 0;
    finished.push(
      new Promise((resolve) => {
        queue.add({
          async next() {
            running += 1;
            peak = Math.max(peak, running);
            turn += 1;
            log.push(`${stream}:${turn}`);
            await tick();
            running -= 1;
            if (turn < 3) return true;
            resolve();
            return false;
          },
        });
      }),
    );
  }
  assert.equal(running, 4, 'four turns started at once, 46 streams waiting in the queue');
  await Promise.all(finished);
  assert.equal(peak, 4);
  assert.equal(log.length, 150, 'three turns for each of the 50 streams');
  const lastFirst = Math.max(...log.map((l, i) => (l.endsWith(':1') ? i : -1)));
  const firstSecond = log.findIndex((l) => l.endsWith(':2'));
  assert.ok(lastFirst < firstSecond, `every first turn (last at ${lastFirst}) before any second one (${firstSecond})`);
});

test('listing turns: a slow stream holds only its own slot; the others go on around it', async () => {
  const queue = new ListingQueue(2);
  let releaseSlow: () => void = () => undefined;
  const slow = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
  queue.add({
    async next() {
      await slow;
      return false;
    },
  });
  let turns = 0;
  const fast = new Promise<void>((resolve) => {
    queue.add({
      async next() {
        turns += 1;
        await tick();
        if (turns < 20) return true;
        resolve();
        return false;
      },
    });
  });
  await fast;
  assert.equal(turns, 20, 'the fast stream listed all its windows while the slow one held its slot');
  releaseSlow();
});
