import { join } from 'node:path';
import type { Sink } from '../core/sink.ts';
import { FileSink } from '../sinks/file.ts';
import { createSinks, sinkName } from '../sinks/index.ts';
import { KindFilterSink } from '../sinks/kind-filter.ts';
import type { SinkConfig } from '../sinks/config.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * The configured sinks (each passes only the kinds it is configured for), plus the dead-letter file that keeps
 * every record the pipeline could not process: `<data_dir>/dead-letter/pipeline.ndjson`.
 */
export function buildSinks(configs: readonly SinkConfig[], dataDir: string, logger: Logger): Sink[] {
  const names = new Set(configs.map((c, i) => sinkName(c, i)));
  const deadLetterName = names.has('dead-letter') ? 'pipeline-dead-letter' : 'dead-letter';
  const deadLetterFile = new FileSink({
    name: deadLetterName,
    path: join(dataDir, 'dead-letter', 'pipeline.ndjson'),
    logger: logger.child({ sink: deadLetterName }),
  });
  return [...createSinks(configs, { dataDir, logger }), new KindFilterSink(deadLetterFile, ['dead-letter'])];
}
