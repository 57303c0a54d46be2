import { resolve } from 'node:path';
import type { Sink } from '../core/sink.ts';
import type { Logger } from '../observability/logger.ts';
import type { SinkConfig } from './config.ts';
import { FileSink } from './file.ts';
import { StdoutSink } from './stdout.ts';

export interface SinkDeps {
  dataDir: string;
  logger: Logger;
}

/** The name a sink is known by in logs, metrics and checkpoints. */
export function sinkName(config: SinkConfig, index: number): string {
  return config.name ?? (index === 0 ? config.type : `${config.type}-${index}`);
}

export function createSink(config: SinkConfig, index: number, deps: SinkDeps): Sink {
  const name = sinkName(config, index);
  switch (config.type) {
    case 'file':
      return new FileSink({ name, path: resolve(config.path), logger: deps.logger.child({ sink: name }) });
    case 'stdout':
      return new StdoutSink(name);
  }
}
