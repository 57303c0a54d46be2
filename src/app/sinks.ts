import { join } from 'node:path';
import type { OutputKind } from '../core/output-event.ts';
import { FileSink } from '../sinks/file.ts';
import { createSinks, sinkName } from '../sinks/index.ts';
import type { SinkConfig } from '../sinks/config.ts';
import type { Logger } from '../observability/logger.ts';
import type { RoutedSink } from '../pipeline/pipeline.ts';

const DEFAULT_KINDS: readonly OutputKind[] = ['event', 'alert'];

/**
 * The configured sinks, each with the kinds of output it receives, plus the dead-letter file that keeps
 * every record the pipeline could not process (`<data_dir>/dead-letter/pipeline.ndjson`).
 */
export function buildSinks(configs: readonly SinkConfig[], dataDir: string, logger: Logger): RoutedSink[] {
  const routed = createSinks(configs, { dataDir, logger }).map((sink, index): RoutedSink => ({
    sink,
    kinds: new Set(configs[index]?.kinds ?? DEFAULT_KINDS),
  }));
  const names = new Set(configs.map((c, i) => sinkName(c, i)));
  const deadLetterName = names.has('dead-letter') ? 'pipeline-dead-letter' : 'dead-letter';
  routed.push({
    sink: new FileSink({ name: deadLetterName, path: join(dataDir, 'dead-letter', 'pipeline.ndjson'), logger: logger.child({ sink: deadLetterName }) }),
    kinds: new Set<OutputKind>(['dead-letter']),
  });
  return routed;
}
