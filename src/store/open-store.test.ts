import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DeliverFn, Delivery } from '../core/delivery.ts';
import type { SourceRecord } from '../core/source-record.ts';
import { storeSchema } from './config.ts';
import type { EventStore } from './event-store.ts';
import { openStore, storeBeforeCheckpoint } from './open-store.ts';

test('backend auto is SQLite beside a SQLite state; postgres without a URL is a clear error', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'open-store-')), 'events.db');
  const opened = await openStore(storeSchema.parse({ path }), './data/state.db');
  assert.equal(opened.backend, 'sqlite');
  await opened.store.close();
  await assert.rejects(
    openStore(storeSchema.parse({ backend: 'postgres', path }), './data/state.db'),
    /store\.backend is postgres: set store\.postgres_url/,
  );
  assert.throws(() => storeSchema.parse({ postgres_url: 'mysql://x' }), /must be a postgres:\/\/ or postgresql:\/\/ URL/);
});

test("a checkpoint is committed only after the store committed the delivery's events", async () => {
  const steps: string[] = [];
  let fail = false;
  const pipeline: Delivery = {
    exclusive: async (fn) =>
      fn((async () => {
        steps.push('delivered');
        return {};
      }) as DeliverFn),
  };
  const store = {
    flush: async () => {
      steps.push('store committed');
      if (fail) throw new Error('PostgreSQL is away');
    },
  } as unknown as EventStore;
  const delivery = storeBeforeCheckpoint(pipeline, store);
  const collect = () =>
    delivery.exclusive(async (deliver) => {
      await deliver([] as SourceRecord[]);
      steps.push('checkpoint committed');
    });
  await collect();
  assert.deepEqual(steps, ['delivered', 'store committed', 'checkpoint committed']);
  steps.length = 0;
  fail = true;
  await assert.rejects(collect(), /PostgreSQL is away/);
  assert.deepEqual(steps, ['delivered', 'store committed'], 'no checkpoint for events the store does not hold');
});
