/** Durable collection state (cursor, subscriptions, blob ledger/queue, seen ids, sink positions, health). */
export { openStateStore } from './open-state-store.ts';
export { SqliteStateStore, StateStoreError } from './sqlite-state-store.ts';
export type {
  BatchCommit,
  BlobFailure,
  BlobState,
  ListedBlob,
  PruneResult,
  QueuedBlob,
  StateStore,
  StreamKey,
  StreamState,
} from './state-store.ts';
