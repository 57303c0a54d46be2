import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { storeSchema } from './config.ts';
import { openStore } from './open-store.ts';

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
