import type { Logger } from '../observability/logger.ts';
import { ConfigError } from '../core/errors.ts';
import { SqliteStateStore } from './sqlite-state-store.ts';
import type { StateStore } from './state-store.ts';

/** Opens the state store named by the `state` config key: a SQLite file path (PostgreSQL URLs come later). */
export async function openStateStore(location: string, logger?: Logger): Promise<StateStore> {
  if (/^postgres(ql)?:\/\//i.test(location)) {
    throw new ConfigError('state', 'PostgreSQL state is not available in this build; use a SQLite file path');
  }
  return new SqliteStateStore(location, logger ? { logger } : {});
}
