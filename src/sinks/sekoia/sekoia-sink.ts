import { documentJson, type OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SekoiaSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { chunkBySize } from '../delivery/chunk.ts';
import { deliverChunks, retryOptions, type ChunkOutcome } from '../delivery/deliver-chunks.ts';
import { HttpClient, outcomeOfStatus, type HttpResponse } from '../http/client.ts';
import { sinkUnconfirmedEvents } from '../metrics.ts';
import { SEKOIA_INTAKE_URLS } from './regions.ts';

export interface SekoiaSinkOptions {
  name: string;
  config: SekoiaSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

/** The intake URL for a config: `intake_url` when set, else the region's, plus `/batch`. */
export function sekoiaBatchUrl(config: Pick<SekoiaSinkConfig, 'intake_url' | 'region'>): string {
  const base = config.intake_url ?? SEKOIA_INTAKE_URLS[config.region];
  return `${base.replace(/\/+$/, '')}/batch`;
}

/**
 * Sekoia.io HTTP intake: `POST {intake}/batch` with `{"intake_key","jsons":["<event JSON>",…]}`.
 * Chunks stay within `max_batch_bytes` (envelope included, measured as sent) and `max_batch_events`;
 * events over `max_event_bytes` (the intake refuses them) and chunks the intake refuses for good (4xx)
 * go to the dead-letter file; 413 halves the chunk; network errors, 5xx and 429 are retried with backoff.
 * Each response must list one event id per event sent. The intake key only ever appears in the body.
 */
export class SekoiaSink implements Sink {
  readonly name: string;
  readonly #config: SekoiaSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #url: string;
  readonly #client: HttpClient;
  readonly #closing = new AbortController();

  constructor(options: SekoiaSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    this.#url = sekoiaBatchUrl(options.config);
    this.#client = new HttpClient({ timeoutMs: options.config.timeout, tls: options.config.tls, gzip: options.config.gzip });
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    /** Each event as it appears in `jsons`: its JSON document, as a JSON string literal. */
    const encoded = new Map<OutputEvent, string>();
    const oversized: Array<{ event: OutputEvent; bytes: number }> = [];
    for (const event of events) {
      const json = documentJson(event);
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes > this.#config.max_event_bytes) oversized.push({ event, bytes });
      else encoded.set(event, JSON.stringify(json));
    }
    if (oversized.length > 0) {
      await this.#deadLetter.write(
        oversized.map(({ event, bytes }) => ({
          event,
          reason: 'too_large',
          detail: `${bytes} bytes; the Sekoia intake refuses events over ${this.#config.max_event_bytes} bytes`,
        })),
      );
    }
    const chunks = chunkBySize([...encoded.keys()], (e) => Buffer.byteLength(encoded.get(e) as string, 'utf8'), {
      maxBytes: this.#config.max_batch_bytes,
      maxItems: this.#config.max_batch_events,
      overhead: Buffer.byteLength(this.#body([]), 'utf8'),
      separator: 1,
    });
    await deliverChunks(
      chunks,
      (chunk) =>
        this.#send(
          chunk.map((e) => encoded.get(e) as string),
          chunk.length,
        ),
      retryOptions(this.name, this.#config.retry, {
        signal: this.#closing.signal,
        logger: this.#logger,
        deadLetter: this.#deadLetter,
      }),
    );
  }

  /** The request body; `encoded` are JSON string literals already. */
  #body(encoded: readonly string[]): string {
    return `{"intake_key":${JSON.stringify(this.#config.intake_key.reveal())},"jsons":[${encoded.join(',')}]}`;
  }

  async #send(encoded: string[], count: number): Promise<ChunkOutcome> {
    const res = this.#redact(await this.#client.send(this.#url, this.#body(encoded), { 'content-type': 'application/json' }));
    const outcome = outcomeOfStatus(res);
    if (outcome.type === 'misconfigured' && (res.status === 401 || res.status === 403)) {
      return { ...outcome, detail: `${outcome.detail} (is the intake key right, and for region ${this.#config.region}?)` };
    }
    if (outcome.type === 'ok') this.#checkEventIds(res, count);
    return outcome;
  }

  /** The intake answers `{"event_ids":[…]}`, one id per event accepted. */
  #checkEventIds(res: HttpResponse, sent: number): void {
    let ids: unknown;
    try {
      ids = (JSON.parse(res.text) as { event_ids?: unknown }).event_ids;
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || ids.length < sent)
      sinkUnconfirmedEvents.inc({ sink: this.name }, Array.isArray(ids) ? sent - ids.length : sent);
    if (!Array.isArray(ids)) {
      this.#logger.warn(
        { sink: this.name, status: res.status, sent },
        'intake response has no event_ids list; cannot confirm the batch',
      );
    } else if (ids.length !== sent) {
      this.#logger.warn(
        { sink: this.name, sent, accepted: ids.length },
        'intake accepted fewer events than sent (per-event rejection)',
      );
    }
  }

  /** Never let an echoed intake key reach an error message or a log. */
  #redact(res: HttpResponse): HttpResponse {
    const key = this.#config.intake_key.reveal();
    return res.text.includes(key) ? { ...res, text: res.text.split(key).join('[redacted]') } : res;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#client.close();
    await this.#deadLetter.close();
  }
}
