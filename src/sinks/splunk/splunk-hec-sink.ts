import { randomUUID } from 'node:crypto';
import { jsonWithDocument, type OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SplunkHecSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { sleep } from '../delivery/sleep.ts';
import { chunkBySize } from '../delivery/chunk.ts';
import { deliverChunks, retryOptions, type ChunkOutcome } from '../delivery/deliver-chunks.ts';
import { HttpClient, excerpt, outcomeOfStatus } from '../http/client.ts';

export interface SplunkHecSinkOptions {
  name: string;
  config: SplunkHecSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

/**
 * Splunk HTTP Event Collector: `POST /services/collector/event` with one `{"time","sourcetype",…,"event"}`
 * object per event (`time` in epoch seconds), `Authorization: Splunk <token>`. With `indexer_ack`, each
 * request carries `X-Splunk-Request-Channel` and the batch is acknowledged only once
 * `/services/collector/ack` reports its ackId indexed (if that times out, the batch is sent again).
 */
export class SplunkHecSink implements Sink {
  readonly name: string;
  readonly #config: SplunkHecSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #client: HttpClient;
  readonly #base: string;
  readonly #channel: string;
  readonly #closing = new AbortController();

  constructor(options: SplunkHecSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    this.#client = new HttpClient({ timeoutMs: options.config.timeout, tls: options.config.tls, gzip: options.config.gzip });
    this.#base = options.config.url.replace(/\/+$/, '');
    this.#channel = options.config.channel ?? randomUUID();
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    const json = new Map(events.map((e) => [e, this.#hecEvent(e)]));
    const chunks = chunkBySize(events, (e) => Buffer.byteLength(json.get(e) as string, 'utf8'), {
      maxBytes: this.#config.max_batch_bytes,
      maxItems: this.#config.max_batch_events,
      separator: 1,
    });
    await deliverChunks(
      chunks,
      (chunk) => this.#send(chunk.map((e) => json.get(e) as string).join('\n')),
      retryOptions(this.name, this.#config.retry, {
        signal: this.#closing.signal,
        logger: this.#logger,
        deadLetter: this.#deadLetter,
      }),
    );
  }

  #hecEvent(event: OutputEvent): string {
    const c = this.#config;
    return jsonWithDocument(
      {
        time: Math.round(event.time) / 1000,
        ...(c.host ? { host: c.host } : {}),
        ...(c.source ? { source: c.source } : {}),
        sourcetype: c.sourcetype,
        ...(c.index ? { index: c.index } : {}),
        fields: { tenant_id: event.tenantId, kind: event.kind, event_id: event.id },
      },
      'event',
      event,
    );
  }

  #headers(): Record<string, string> {
    return {
      'content-type': 'application/json',
      authorization: `Splunk ${this.#config.token.reveal()}`,
      ...(this.#config.indexer_ack ? { 'x-splunk-request-channel': this.#channel } : {}),
    };
  }

  async #send(body: string): Promise<ChunkOutcome> {
    const res = await this.#client.send(`${this.#base}/services/collector/event`, body, this.#headers());
    const outcome = outcomeOfStatus(res);
    if (outcome.type !== 'ok' || !this.#config.indexer_ack) return outcome;
    const ackId = (JSON.parse(res.text) as { ackId?: unknown }).ackId;
    if (typeof ackId !== 'number')
      return {
        type: 'misconfigured',
        detail: `indexer_ack is on but HEC returned no ackId (is acknowledgement enabled on the token?): ${excerpt(res.text)}`,
      };
    return this.#waitForAck(ackId);
  }

  /** Polls `/services/collector/ack` until the ackId is indexed, bounded by `ack_timeout`. */
  async #waitForAck(ackId: number): Promise<ChunkOutcome> {
    const deadline = Date.now() + this.#config.ack_timeout;
    while (Date.now() < deadline && !this.#closing.signal.aborted) {
      const res = await this.#client.send(
        `${this.#base}/services/collector/ack?channel=${this.#channel}`,
        JSON.stringify({ acks: [ackId] }),
        this.#headers(),
      );
      if (res.status !== 200) return outcomeOfStatus(res);
      const acks = (JSON.parse(res.text) as { acks?: Record<string, boolean> }).acks ?? {};
      if (acks[String(ackId)] === true) return { type: 'ok' };
      await sleep(this.#config.ack_poll_interval, this.#closing.signal);
    }
    return { type: 'retry', detail: `ackId ${ackId} not indexed within ${this.#config.ack_timeout} ms` };
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#client.close();
    await this.#deadLetter.close();
  }
}
