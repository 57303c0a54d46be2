import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'node:test';
import { storeSchema } from './config.ts';
import { openEventStore } from './event-store.ts';
import { CONTRACT_NOW, eventStoreContract } from './testing/event-store-contract.ts';

describe('the SQLite event store keeps the store contract', () => {
  eventStoreContract(async (overrides = {}) =>
    openEventStore(storeSchema.parse({ path: join(mkdtempSync(join(tmpdir(), 'contract-')), 'events.db'), ...overrides }), {
      now: () => CONTRACT_NOW,
    }),
  );
});

describe('the SQLite event store with its writer thread (as `o365-intake run` opens it) keeps the store contract', () => {
  eventStoreContract(async (overrides = {}) =>
    openEventStore(storeSchema.parse({ path: join(mkdtempSync(join(tmpdir(), 'contract-')), 'events.db'), ...overrides }), {
      now: () => CONTRACT_NOW,
      writer: 'thread',
    }),
  );
});
