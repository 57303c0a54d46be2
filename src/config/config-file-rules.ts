import { ConfigError } from '../core/errors.ts';
import { DURATION_FORMS } from './duration.ts';
import { isDuration, walkDocument } from './schema-walk.ts';
import { configSchema, type Config } from './schema.ts';

/** Below this, polling hammers the Management Activity API for nothing (content is published minutes apart). */
export const MIN_POLL_INTERVAL_MS = 10_000;

const pathText = (path: (string | number)[]) =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');

/**
 * Rules for what a person writes (a config file, the environment) that code calling parseConfig need not follow:
 * a duration carries its unit (`60` could be seconds or milliseconds, so it is refused), and the poll interval is at
 * least 10 s unless `allowFastPolling` (the `--i-know` flag, for tests against the emulator).
 */
export function checkWrittenConfig(raw: unknown, config: Config, options: { allowFastPolling?: boolean }): void {
  walkDocument(configSchema, raw, (value, path, schemas) => {
    if (typeof value === 'number' && schemas.some(isDuration)) {
      throw new ConfigError(pathText(path), `${value} has no unit: write ${DURATION_FORMS}`);
    }
  });
  if (!options.allowFastPolling && config.collection.poll_interval < MIN_POLL_INTERVAL_MS) {
    throw new ConfigError(
      'collection.poll_interval',
      'must be at least 10s (a shorter interval only hammers the API; pass --i-know to allow it, e.g. against the emulator)',
    );
  }
}
