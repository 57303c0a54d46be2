import { createHash } from 'node:crypto';
import { documentJson, type OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { HttpSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { chunkBySize } from '../delivery/chunk.ts';
import { deliverChunks, retryOptions } from '../delivery/deliver-chunks.ts';
import { HttpClient, outcomeOfStatus } from './client.ts';

export interface HttpSinkOptions {
  name: string;
  config: HttpSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

const CONTENT_TYPES = { ndjson: 'application/x-ndjson', json_array: 'application/json' } as const;

/**
 * Generic HTTP/webhook output: each request carries a chunk of documents as NDJSON (one per line)
 * or as a JSON array, optionally gzipped, with the configured headers. 2xx acknowledges the chunk;
 * 408/429/5xx and network errors are retried, 413 halves the chunk, 401/403/404 stop delivery (the events stay
 * spooled), other 4xx go to the dead-letter file. At-least-once with a dedup key: every request carries
 * `Idempotency-Key`, a batch id made from its events' stable ids (the same on every retry, and after a restart
 * for the same spooled batch), and every ECS document its stable id in `event.id`.
 */
export class HttpSink implements Sink {
  readonly name: string;
  readonly #config: HttpSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #client: HttpClient;
  readonly #closing = new AbortController();

  constructor(options: HttpSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    this.#client = new HttpClient({ timeoutMs: options.config.timeout, tls: options.config.tls, gzip: options.config.gzip });
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    const json = new Map(events.map((e) => [e, documentJson(e)]));
    const chunks = chunkBySize(events, (e) => Buffer.byteLength(json.get(e) as string, 'utf8'), {
      maxBytes: this.#config.max_batch_bytes,
      maxItems: this.#config.max_batch_events,
      overhead: this.#config.format === 'json_array' ? 2 : 0,
      separator: 1,
    });
    const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[this.#config.format] };
    for (const [key, value] of Object.entries(this.#config.headers)) headers[key.toLowerCase()] = value.reveal();
    await deliverChunks(
      chunks,
      async (chunk) => {
        const lines = chunk.map((e) => json.get(e) as string);
        const body = this.#config.format === 'ndjson' ? `${lines.join('\n')}\n` : `[${lines.join(',')}]`;
        const request = { ...headers, 'idempotency-key': batchId(chunk) };
        return outcomeOfStatus(await this.#client.send(this.#config.url, body, request, this.#config.method));
      },
      retryOptions(this.name, this.#config.retry, {
        signal: this.#closing.signal,
        logger: this.#logger,
        deadLetter: this.#deadLetter,
      }),
    );
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#client.close();
    await this.#deadLetter.close();
  }
}

/** The id of a request's batch: a digest of its events' stable ids, so a resend of the same events has the same id. */
export function batchId(events: readonly OutputEvent[]): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(e.id).update('\n');
  return hash.digest('hex').slice(0, 32);
}
