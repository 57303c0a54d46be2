import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import type { Logger } from '../observability/logger.ts';
import type { SinkConfig } from './config.ts';
import { DeadLetterFile } from './dead-letter.ts';
import { ElasticsearchSink } from './elasticsearch/elasticsearch-sink.ts';
import { FileSink } from './file.ts';
import { HttpSink } from './http/http-sink.ts';
import { KafkaSink } from './kafka/kafka-sink.ts';
import { KindFilterSink } from './kind-filter.ts';
import { SekoiaSink } from './sekoia/sekoia-sink.ts';
import { SplunkHecSink } from './splunk/splunk-hec-sink.ts';
import { SpooledSink } from './spool/spooled-sink.ts';
import { StdoutSink } from './stdout.ts';
import { SyslogSink } from './syslog/syslog-sink.ts';

export interface SinkDeps {
  dataDir: string;
  logger: Logger;
}

/** The name a sink is known by in logs, metrics and checkpoints. */
export function sinkName(config: Pick<SinkConfig, 'name' | 'type'>, index: number): string {
  return config.name ?? (index === 0 ? config.type : `${config.type}-${index}`);
}

/** Where a sink writes what its destination refused for good. */
export function deadLetterPath(dataDir: string, name: string): string {
  return resolve(dataDir, 'dead-letter', `${name}.ndjson`);
}

/**
 * Builds one sink from its config: the destination, behind its disk spool when `buffer.type` is `disk`
 * (the default for network sinks), behind the filter that passes only the configured `kinds`.
 */
export function createSink(config: SinkConfig, index: number, deps: SinkDeps): Sink {
  const name = sinkName(config, index);
  const logger = deps.logger.child({ sink: name });
  const deadLetter = new DeadLetterFile(deadLetterPath(deps.dataDir, name), name, logger);
  let sink = destination(config, name, logger, deadLetter);
  if (config.type !== 'file' && config.type !== 'stdout' && config.buffer.type === 'disk') {
    sink = new SpooledSink(sink, {
      dir: resolve(config.buffer.path ?? join(deps.dataDir, 'spool', name)),
      maxBytes: config.buffer.max_bytes,
      segmentBytes: config.buffer.segment_bytes,
      initialBackoffMs: config.retry.initial_backoff,
      maxBackoffMs: config.retry.max_backoff,
      logger,
      deadLetter,
    });
  }
  return new KindFilterSink(sink, config.kinds);
}

/**
 * The destination of a sink alone (no spool, no kind filter), its refusals written to `deadLetter`: what
 * `dead-letter replay` sends through, while a running collector keeps its spool.
 */
export function createDestination(config: SinkConfig, index: number, deps: SinkDeps, deadLetter: DeadLetterFile): Sink {
  const name = sinkName(config, index);
  return destination(config, name, deps.logger.child({ sink: name }), deadLetter);
}

/** Builds every configured sink; names must be unique (each has its own spool and checkpoint position). */
export function createSinks(configs: readonly SinkConfig[], deps: SinkDeps): Sink[] {
  const seen = new Set<string>();
  return configs.map((config, index) => {
    const name = sinkName(config, index);
    if (seen.has(name)) throw new ConfigError(`sinks[${index}].name`, `duplicate sink name "${name}" (set a distinct name)`);
    seen.add(name);
    return createSink(config, index, deps);
  });
}

function destination(config: SinkConfig, name: string, logger: Logger, deadLetter: DeadLetterFile): Sink {
  switch (config.type) {
    case 'file':
      return new FileSink({
        name,
        path: resolve(config.path),
        logger,
        rotation: { maxBytes: config.rotate?.max_bytes, intervalMs: config.rotate?.interval, maxFiles: config.rotate?.max_files },
      });
    case 'stdout':
      return new StdoutSink(name);
    case 'sekoia':
      return new SekoiaSink({ name, config, logger, deadLetter });
    case 'http':
      return new HttpSink({ name, config, logger, deadLetter });
    case 'elasticsearch':
      return new ElasticsearchSink({ name, config, logger, deadLetter });
    case 'splunk_hec':
      return new SplunkHecSink({ name, config, logger, deadLetter });
    case 'syslog':
      return new SyslogSink({ name, config, logger, deadLetter });
    case 'kafka':
      return new KafkaSink({ name, config, logger, deadLetter });
  }
}
