import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutputEvent } from '../core/output-event.ts';
import type { Logger } from '../observability/logger.ts';
import { sinkEventsDeadLettered } from './metrics.ts';

/** Why a destination refused an event for good. */
export type DeadLetterReason = 'too_large' | 'rejected' | 'mapping_error' | 'spool_corrupt';

export interface DeadLetterEntry {
  reason: DeadLetterReason;
  /** What the destination said (status, error type, message); never contains a secret. */
  detail: string;
  event?: OutputEvent;
  /** Undecodable spool bytes, when there is no event. */
  raw?: string;
}

/** Ids shown in a log line; the file has them all. */
const LOGGED_IDS = 50;

/**
 * Where a sink puts what its destination refused for good, so nothing is silently dropped:
 * one NDJSON line per event (`{"at","sink","reason","detail","event"}`), fsynced before the sink
 * acknowledges. Default file: `<data_dir>/dead-letter/<sink name>.ndjson`. Each call also logs the
 * count and the ids, and counts them in `o365_intake_sink_events_dead_lettered_total`. The file is opened by
 * path for each write (refusals are rare), so `dead-letter replay` can move it aside while the collector runs.
 */
export class DeadLetterFile {
  readonly path: string;
  readonly #sink: string;
  readonly #logger: Logger;
  #queue: Promise<void> = Promise.resolve();

  constructor(path: string, sink: string, logger: Logger) {
    this.path = path;
    this.#sink = sink;
    this.#logger = logger;
  }

  write(entries: readonly DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    const run = this.#queue.then(() => this.#append(entries));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #append(entries: readonly DeadLetterEntry[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const at = new Date().toISOString();
    const text = `${entries
      .map((e) => JSON.stringify({ at, sink: this.#sink, reason: e.reason, detail: e.detail, event: e.event, raw: e.raw }))
      .join('\n')}\n`;
    const handle = await open(this.path, 'a');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    const byReason = new Map<DeadLetterReason, DeadLetterEntry[]>();
    for (const e of entries) byReason.set(e.reason, [...(byReason.get(e.reason) ?? []), e]);
    for (const [reason, list] of byReason) {
      sinkEventsDeadLettered.inc({ sink: this.#sink, reason }, list.length);
      const ids = list.slice(0, LOGGED_IDS).map((e) => e.event?.id ?? '(undecodable)');
      this.#logger.warn(
        {
          sink: this.#sink,
          reason,
          count: list.length,
          ids,
          idsOmitted: Math.max(0, list.length - LOGGED_IDS),
          detail: list[0]?.detail,
          deadLetterFile: this.path,
        },
        `${list.length} event(s) refused by the destination (${reason}) written to the dead-letter file`,
      );
    }
  }

  /** Resolves once every write so far is on disk. */
  async close(): Promise<void> {
    await this.#queue;
  }
}
