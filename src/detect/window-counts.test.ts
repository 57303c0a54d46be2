import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../emulator/rng.ts';
import type { Entry } from './correlation-window.ts';
import { WindowCounts } from './window-counts.ts';

const entry = (time: number, value: string): Entry => ({
  time,
  ruleIndex: 0,
  key: `${time}-${value}`,
  eventIds: [],
  values: [value],
});

describe('WindowCounts', () => {
  for (let seed = 1; seed <= 20; seed++) {
    it(`seed ${seed}: random insertions, removals of the oldest and moves give the distinct count of a recount`, () => {
      const rng = new Rng(seed);
      const entries: Entry[] = [];
      const counts = new WindowCounts((e) => e.values);
      for (let step = 0; step < 300; step++) {
        const action = rng.next();
        if (action < 0.45) {
          const index = rng.int(0, entries.length);
          const e = entry(step, `v${rng.int(0, 6)}`);
          entries.splice(index, 0, e);
          counts.inserted(e, index);
        } else if (action < 0.55 && entries.length > 0) {
          const n = rng.int(1, Math.min(4, entries.length));
          counts.removedFirst(entries, n);
          entries.splice(0, n);
        } else {
          const from = rng.int(0, entries.length);
          counts.moveTo(entries, from, rng.int(from, entries.length));
        }
        const recount = new Set(entries.slice(counts.from, counts.to).flatMap((e) => e.values)).size;
        assert.equal(counts.distinct, recount, `step ${step}`);
      }
    });
  }
});
