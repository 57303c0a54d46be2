import type { Sink } from '../core/sink.ts';
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
