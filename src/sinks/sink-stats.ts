import type { Sink } from '../core/sink.ts';
import { FileSink } from './file.ts';
import { KindFilterSink } from './kind-filter.ts';
import { SpooledSink, type SpoolStats } from './spool/spooled-sink.ts';

/** The spool of a sink built by createSink (backlog, delivered count, last error), for /healthz and the UI; undefined when it has none. */
export function spoolOf(sink: Sink): SpooledSink | undefined {
  if (sink instanceof KindFilterSink) return spoolOf(sink.inner);
  return sink instanceof SpooledSink ? sink : undefined;
}

export function spoolStats(sink: Sink): SpoolStats | undefined {
  return spoolOf(sink)?.stats();
}

/** Why a sink cannot take or deliver events right now, for /healthz and the UI (undefined when it can). */
export interface SinkFailure {
  kind: 'refused' | 'storage';
  message: string;
  at: number;
}

export function sinkFailure(sink: Sink): SinkFailure | undefined {
  if (sink instanceof KindFilterSink) return sinkFailure(sink.inner);
  if (sink instanceof FileSink) {
    const failure = sink.failure();
    return failure ? { kind: 'storage', ...failure } : undefined;
  }
  const stats = spoolOf(sink)?.stats();
  if (stats?.refused) return { kind: 'refused', ...stats.refused };
  if (stats?.appendFailure) return { kind: 'storage', ...stats.appendFailure };
  return undefined;
}
