import { resolve } from 'node:path';
import type { Logger } from '../observability/logger.ts';
import type { StoreConfig } from './config.ts';
import { StoreError } from './errors.ts';
import { type EventStore, openEventStore } from './event-store.ts';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export type OpenedStore =
  | { backend: 'sqlite'; store: EventStore; path: string }
  | { backend: 'postgres'; store: EventStore; url: string };

/**
 * Opens the configured event store: `backend: auto` is PostgreSQL when `state:` is a postgres:// URL (scaled out:
 * every worker's page shows every tenant), else the SQLite file at `path`. The PostgreSQL database is `postgres_url`,
 * or the state database.
 */
export async function openStore(config: StoreConfig, statePath: string, logger?: Logger): Promise<OpenedStore> {
  const backend = config.backend === 'auto' ? (POSTGRES_URL.test(statePath) ? 'postgres' : 'sqlite') : config.backend;
  if (backend === 'sqlite') {
    const path = resolve(config.path);
    // Its writes run in the store's writer thread, beside the collecting event loop.
    return { backend, path, store: openEventStore({ ...config, path }, { writer: 'thread', ...(logger ? { logger } : {}) }) };
  }
  const url = config.postgres_url ?? (POSTGRES_URL.test(statePath) ? statePath : undefined);
  if (!url) throw new StoreError('store.backend is postgres: set store.postgres_url, or use a postgres:// URL as state');
  // Imported when used: a SQLite store never loads pg.
  const { openPostgresEventStore } = await import('./postgres/postgres-event-store.ts');
  return { backend, url, store: await openPostgresEventStore(url, config, logger ? { logger } : {}) };
}
