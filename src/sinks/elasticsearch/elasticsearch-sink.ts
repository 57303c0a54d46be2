import { documentJson, type OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ElasticsearchSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { chunkBySize } from '../delivery/chunk.ts';
import { deliverChunks, retryOptions, type ChunkOutcome } from '../delivery/deliver-chunks.ts';
import { HttpClient, outcomeOfStatus } from '../http/client.ts';
import { bulkOutcome } from './bulk-response.ts';
import { indexName } from './index-name.ts';

export interface ElasticsearchSinkOptions {
  name: string;
  config: ElasticsearchSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

/**
 * Elasticsearch / OpenSearch `_bulk` output. Every document gets `_id` = OutputEvent.id, so a replay
 * is idempotent (with `op_type: create` a replayed document answers 409, counted as delivered).
 * Per-item 429/5xx are retried, other per-item errors (mapping) go to the dead-letter file.
 */
export class ElasticsearchSink implements Sink {
  readonly name: string;
  readonly #config: ElasticsearchSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #client: HttpClient;
  readonly #url: string;
  readonly #closing = new AbortController();

  constructor(options: ElasticsearchSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    this.#client = new HttpClient({ timeoutMs: options.config.timeout, tls: options.config.tls, gzip: options.config.gzip });
    const url = new URL(`${options.config.url.replace(/\/+$/, '')}/_bulk`);
    if (options.config.pipeline) url.searchParams.set('pipeline', options.config.pipeline);
    this.#url = url.toString();
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    const lines = new Map(events.map((e) => [e, this.#bulkLines(e)]));
    const chunks = chunkBySize(events, (e) => Buffer.byteLength(lines.get(e) as string, 'utf8'), {
      maxBytes: this.#config.max_batch_bytes,
      maxItems: this.#config.max_batch_events,
    });
    await deliverChunks(
      chunks,
      (chunk) => this.#send(chunk, chunk.map((e) => lines.get(e) as string).join('')),
      retryOptions(this.name, this.#config.retry, {
        signal: this.#closing.signal,
        logger: this.#logger,
        deadLetter: this.#deadLetter,
      }),
    );
  }

  #bulkLines(event: OutputEvent): string {
    const action = { [this.#config.op_type]: { _index: indexName(this.#config.index, event), _id: event.id } };
    return `${JSON.stringify(action)}\n${documentJson(event)}\n`;
  }

  async #send(chunk: OutputEvent[], body: string): Promise<ChunkOutcome> {
    const res = await this.#client.send(this.#url, body, { 'content-type': 'application/x-ndjson', ...this.#authorization() });
    if (res.status !== 200) return outcomeOfStatus(res);
    return bulkOutcome(res.text, chunk, this.#config.op_type);
  }

  #authorization(): Record<string, string> {
    if (this.#config.api_key) return { authorization: `ApiKey ${this.#config.api_key.reveal()}` };
    if (this.#config.username && this.#config.password) {
      return {
        authorization: `Basic ${Buffer.from(`${this.#config.username}:${this.#config.password.reveal()}`).toString('base64')}`,
      };
    }
    return {};
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#client.close();
    await this.#deadLetter.close();
  }
}
