import type { Registry } from 'prom-client';
import type { Sink } from '../core/sink.ts';
import type { SinkConfig } from '../sinks/config.ts';
import { FileSink } from '../sinks/file.ts';
import { deadLetterPath, sinkName } from '../sinks/index.ts';
import { KindFilterSink } from '../sinks/kind-filter.ts';
import { sinkFailure, spoolStats } from '../sinks/sink-stats.ts';
import { lastDeadLetter, type LastDeadLetter } from './dead-letter-tail.ts';
import { scrubSecrets } from '../core/scrub-secrets.ts';
import { secretsIn } from '../core/secret.ts';

/** `stale`: another worker's output whose worker stopped reporting (scaled out: see worker-sink-health.ts). */
export type SinkStatus = 'ok' | 'degraded' | 'error' | 'stale';

/** One output as the Health page and /healthz show it. */
export interface SinkHealth {
  name: string;
  /** The config `type` (sekoia, elasticsearch, file…), when known. */
  type?: string;
  status: SinkStatus;
  /** Why the status is not ok, in a few words. */
  reason?: string;
  /** Bytes spooled and not yet delivered (spooled sinks only). */
  backlogBytes?: number;
  /** The spool's `buffer.max_bytes`: a write waits once the backlog reaches it. */
  capacityBytes?: number;
  /** Events the destination acknowledged since the start, not counting refused ones (network sinks). */
  deliveredEvents?: number;
  lastDeliveryAt?: number;
  /** Events refused for good since the start (in `<data_dir>/dead-letter/<sink>.ndjson`). */
  deadLettered: number;
  /** The newest failure (retried delivery error, or refusal), secrets scrubbed. */
  lastError?: { message: string; at: number };
  /** Scaled out with the PostgreSQL store: the worker (`scale_out.node_id`) whose output this is. */
  worker?: string;
  /** Another worker's output: when that worker reported it. */
  reportedAt?: number;
}

export interface SinkHealthSource {
  sinkHealth(): Promise<SinkHealth[]>;
}

export interface SinkHealthOptions {
  /** The sinks' configs, for each sink's type, spool capacity and the secrets to scrub from messages. */
  configs: readonly SinkConfig[];
  /** Where the dead-letter files are (`<data_dir>/dead-letter/<sink>.ndjson`). */
  dataDir: string;
  /** The registry holding `o365_intake_sink_events_{delivered,dead_lettered}_total`. */
  registry: Registry;
  now?: () => number;
  /** The embedded store's write failure (disk full), if any: shown as an output named `store` while it lasts. */
  store?: { storeFailure(): { message: string; at: number } | undefined };
}

/** A spool this full (of its capacity) makes the output degraded; nearly full, writes wait (error). */
const BACKLOG_DEGRADED = 0.5;
const BACKLOG_ERROR = 0.95;

interface Counts {
  delivered: number;
  deadLettered: number;
}

/** What the previous look at a sink saw, to tell "refusing everything" from "refused some". */
interface Memory extends Counts {
  refusing: 'none' | 'some' | 'all';
  lastDeliveryAt?: number;
}

async function countsBySink(registry: Registry, metric: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const values = (await registry.getSingleMetric(metric)?.get())?.values ?? [];
  for (const { labels, value } of values) {
    const sink = String(labels.sink ?? '');
    counts.set(sink, (counts.get(sink) ?? 0) + value);
  }
  return counts;
}

function isFileSink(sink: Sink): boolean {
  return sink instanceof KindFilterSink ? isFileSink(sink.inner) : sink instanceof FileSink;
}

function newest(...errors: Array<{ message: string; at: number } | undefined>): { message: string; at: number } | undefined {
  return errors.reduce((a, b) => (b && (!a || b.at > a.at) ? b : a), undefined);
}

/**
 * Output health built from what the sinks already expose: the spool stats (backlog, last delivery error),
 * the Prometheus delivered / dead-lettered counters and the newest dead-letter entry. Counts start at
 * creation, so build it once when the pipeline starts. Status:
 * - error: the destination refuses our requests (401/403/404: delivery stopped, events kept in the spool);
 *   or the output file / spool cannot be written (disk full: collection paused);
 *   or the spool's last delivery failed and nothing was delivered since (destination down, retrying);
 *   or since the previous look every event sent was refused (e.g. HTTP 401, wrong intake key);
 *   or the spool is nearly full (collection waits on it).
 * - degraded: since the previous look some events were refused, or the spool is half full.
 */
export class SinkHealthTracker implements SinkHealthSource {
  readonly #sinks: readonly Sink[];
  readonly #options: SinkHealthOptions;
  readonly #configs: Map<string, SinkConfig>;
  readonly #secrets: string[];
  readonly #now: () => number;
  readonly #memory = new Map<string, Memory>();
  /** The newest dead letter per sink, read again only when the dead-lettered count moves. */
  readonly #deadLetters = new Map<string, { count: number; entry: LastDeadLetter | undefined }>();
  readonly #baseline: Promise<Map<string, Counts>>;

  constructor(sinks: readonly Sink[], options: SinkHealthOptions) {
    this.#sinks = sinks;
    this.#options = options;
    this.#configs = new Map(options.configs.map((config, index) => [sinkName(config, index), config]));
    this.#secrets = secretsIn(options.configs);
    this.#now = options.now ?? Date.now;
    this.#baseline = this.#counts();
  }

  async #counts(): Promise<Map<string, Counts>> {
    const [delivered, deadLettered] = await Promise.all([
      countsBySink(this.#options.registry, 'o365_intake_sink_events_delivered_total'),
      countsBySink(this.#options.registry, 'o365_intake_sink_events_dead_lettered_total'),
    ]);
    return new Map(
      this.#sinks.map((s) => [s.name, { delivered: delivered.get(s.name) ?? 0, deadLettered: deadLettered.get(s.name) ?? 0 }]),
    );
  }

  async sinkHealth(): Promise<SinkHealth[]> {
    const [baseline, counts] = await Promise.all([this.#baseline, this.#counts()]);
    const now = this.#now();
    const storeFailure = this.#options.store?.storeFailure();
    const store: SinkHealth[] = storeFailure
      ? [
          {
            name: 'store',
            type: 'store',
            status: 'error',
            reason: 'cannot write to local disk (full?): collection paused, retrying',
            deadLettered: 0,
            lastError: { message: scrubSecrets(storeFailure.message, this.#secrets), at: storeFailure.at },
          },
        ]
      : [];
    const outputs = await Promise.all(
      this.#sinks.map(async (sink) => {
        const base = baseline.get(sink.name) ?? { delivered: 0, deadLettered: 0 };
        const seen = counts.get(sink.name) ?? base;
        return this.#health(
          sink,
          { delivered: seen.delivered - base.delivered, deadLettered: seen.deadLettered - base.deadLettered },
          now,
        );
      }),
    );
    return [...outputs, ...store];
  }

  async #health(sink: Sink, counts: Counts, now: number): Promise<SinkHealth> {
    const config = this.#configs.get(sink.name);
    const spool = spoolStats(sink);
    const memory = this.#remember(sink.name, counts, spool?.lastDeliveryAt ?? now);
    const deadLetter = await this.#lastDeadLetter(sink.name, counts.deadLettered);
    const refusal = deadLetter
      ? { message: `refused (${deadLetter.reason}): ${deadLetter.detail}`, at: deadLetter.at }
      : undefined;
    const failing = spool?.lastError && spool.lastError.at > (spool.lastDeliveryAt ?? 0) ? spool.lastError : undefined;
    const stopped = sinkFailure(sink);
    const lastError = newest(spool?.lastError, refusal, stopped);
    const capacity = spool && config && 'buffer' in config && config.buffer.type === 'disk' ? config.buffer.max_bytes : undefined;
    const fill = spool && capacity ? spool.pendingBytes / capacity : 0;

    let status: SinkStatus = 'ok';
    let reason: string | undefined;
    if (stopped?.kind === 'refused') [status, reason] = ['error', refusedReason(stopped.message)];
    else if (stopped) [status, reason] = ['error', 'cannot write to local disk (full?): collection paused, retrying'];
    else if (failing) [status, reason] = ['error', 'delivery failing, retrying'];
    else if (memory.refusing === 'all') [status, reason] = ['error', 'the destination refuses every event'];
    else if (fill >= BACKLOG_ERROR) [status, reason] = ['error', 'spool full: collection waits for this output'];
    else if (memory.refusing === 'some') [status, reason] = ['degraded', 'the destination refused some events'];
    else if (fill >= BACKLOG_DEGRADED) [status, reason] = ['degraded', 'spool filling up'];

    const type = config?.type ?? (isFileSink(sink) ? 'file' : undefined);
    return {
      name: sink.name,
      ...(type ? { type } : {}),
      status,
      ...(reason ? { reason } : {}),
      ...(spool ? { backlogBytes: spool.pendingBytes } : {}),
      ...(capacity !== undefined ? { capacityBytes: capacity } : {}),
      ...(spool || counts.delivered > 0 ? { deliveredEvents: counts.delivered } : {}),
      ...(memory.lastDeliveryAt !== undefined ? { lastDeliveryAt: memory.lastDeliveryAt } : {}),
      deadLettered: counts.deadLettered,
      ...(lastError ? { lastError: { message: scrubSecrets(lastError.message, this.#secrets), at: lastError.at } } : {}),
    };
  }

  async #lastDeadLetter(name: string, count: number): Promise<LastDeadLetter | undefined> {
    if (count === 0) return undefined;
    const cached = this.#deadLetters.get(name);
    if (cached?.count === count) return cached.entry;
    const entry = await lastDeadLetter(deadLetterPath(this.#options.dataDir, name));
    this.#deadLetters.set(name, { count, entry });
    return entry;
  }

  /** Compares the counters with the previous look: what happened since decides whether the destination refuses events. */
  #remember(name: string, counts: Counts, deliveredAt: number): Memory {
    const before = this.#memory.get(name) ?? { delivered: 0, deadLettered: 0, refusing: 'none' };
    const delivered = counts.delivered > before.delivered;
    const refused = counts.deadLettered > before.deadLettered;
    const refusing = refused ? (delivered ? 'some' : 'all') : delivered ? 'none' : before.refusing;
    const lastDeliveryAt = delivered ? deliveredAt : before.lastDeliveryAt;
    const memory: Memory = { ...counts, refusing, ...(lastDeliveryAt !== undefined ? { lastDeliveryAt } : {}) };
    this.#memory.set(name, memory);
    return memory;
  }
}

/** A destination answering 401/403/404 to every request: delivery stopped until it accepts us again. */
function refusedReason(message: string): string {
  const status = /HTTP (\d{3})/.exec(message)?.[1];
  return `the destination refuses our requests${status ? ` (HTTP ${status})` : ''}: check its URL and credentials; events stay spooled, retrying`;
}

/** The output health of the sinks the pipeline writes to (as built by createSinks / buildSinks). */
export function buildSinkHealth(sinks: readonly Sink[], options: SinkHealthOptions): SinkHealthTracker {
  return new SinkHealthTracker(sinks, options);
}
