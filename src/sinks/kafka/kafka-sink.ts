import { readFileSync } from 'node:fs';
import type { KafkaConfig, LogEntry, Producer, SASLOptions } from 'kafkajs';
import { documentJson, type OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { KafkaSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { deliverChunks, retryOptions, type ChunkOutcome } from '../delivery/deliver-chunks.ts';

export interface KafkaSinkOptions {
  name: string;
  config: KafkaSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

type KafkaJs = typeof import('kafkajs');

interface KafkaJsError extends Error {
  retriable?: boolean;
  type?: string;
}

/**
 * Kafka output (kafkajs): one message per event, key = event id (so a topic compaction or a consumer
 * can de-duplicate replays), value = the JSON document, headers `kind` and `tenant_id`, timestamp = event
 * time. `acks: -1`: a batch is acknowledged once every in-sync replica has it. Retriable broker and
 * connection errors are retried with backoff; MESSAGE_TOO_LARGE halves the batch (one event alone goes
 * to the dead-letter file), other non-retriable errors dead-letter the batch.
 */
export class KafkaSink implements Sink {
  readonly name: string;
  readonly #config: KafkaSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #ca: string | undefined;
  readonly #closing = new AbortController();
  /** kafkajs is imported with the first batch: a process without a Kafka sink never loads it. */
  #client: Promise<{ kafkajs: KafkaJs; producer: Producer }> | undefined;
  #connected: Promise<void> | undefined;

  constructor(options: KafkaSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    // Read now: an unreadable CA file is a config error at start, not at the first batch.
    this.#ca = options.config.tls?.ca_file ? readFileSync(options.config.tls.ca_file, 'utf8') : undefined;
  }

  #kafka(): Promise<{ kafkajs: KafkaJs; producer: Producer }> {
    this.#client ??= import('kafkajs').then((kafkajs) => {
      const c = this.#config;
      const config: KafkaConfig = {
        clientId: c.client_id,
        brokers: c.brokers,
        ssl:
          c.ssl || c.tls ? { ...(this.#ca ? { ca: [this.#ca] } : {}), rejectUnauthorized: !c.tls?.insecure_skip_verify } : false,
        ...(c.sasl ? { sasl: saslOf(c.sasl) } : {}),
        connectionTimeout: c.timeout,
        requestTimeout: c.timeout,
        retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 2000 },
        logLevel: kafkajs.logLevel.WARN,
        logCreator: () => (entry: LogEntry) => this.#log(kafkajs, entry),
      };
      const producer = new kafkajs.Kafka(config).producer({
        allowAutoTopicCreation: true,
        idempotent: c.idempotent,
        ...(c.idempotent ? { maxInFlightRequests: 1 } : {}),
      });
      return { kafkajs, producer };
    });
    return this.#client;
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    const chunks: OutputEvent[][] = [];
    for (let i = 0; i < events.length; i += this.#config.max_batch_events)
      chunks.push(events.slice(i, i + this.#config.max_batch_events));
    await deliverChunks(
      chunks,
      (chunk) => this.#send(chunk),
      retryOptions(this.name, this.#config.retry, {
        signal: this.#closing.signal,
        logger: this.#logger,
        deadLetter: this.#deadLetter,
      }),
    );
  }

  async #send(chunk: OutputEvent[]): Promise<ChunkOutcome> {
    try {
      const { kafkajs, producer } = await this.#kafka();
      this.#connected ??= producer.connect();
      await this.#connected;
      await producer.send({
        topic: this.#config.topic,
        acks: -1,
        timeout: this.#config.timeout,
        compression: this.#config.compression === 'gzip' ? kafkajs.CompressionTypes.GZIP : kafkajs.CompressionTypes.None,
        messages: chunk.map((e) => ({
          key: e.id,
          value: documentJson(e),
          timestamp: String(Math.round(e.time)),
          headers: { kind: e.kind, tenant_id: e.tenantId },
        })),
      });
      return { type: 'ok' };
    } catch (err) {
      return this.#outcomeOf(err as KafkaJsError);
    }
  }

  #outcomeOf(err: KafkaJsError): ChunkOutcome {
    const detail = `${err.name}: ${err.message}`;
    if (err.type === 'MESSAGE_TOO_LARGE') return { type: 'split', detail };
    if (err.name === 'KafkaJSProtocolError' && err.retriable === false) return { type: 'reject', reason: 'rejected', detail };
    this.#connected = undefined; // reconnect on the next attempt
    return { type: 'retry', detail };
  }

  #log(kafkajs: KafkaJs, entry: LogEntry): void {
    const { message, ...rest } = entry.log;
    const fields = { sink: this.name, kafkajs: entry.namespace, ...rest };
    if (entry.level === kafkajs.logLevel.ERROR) this.#logger.warn(fields, `kafka: ${message}`);
    else this.#logger.debug(fields, `kafka: ${message}`);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    if (this.#client) await (await this.#client).producer.disconnect().catch(() => undefined);
    await this.#deadLetter.close();
  }
}

function saslOf(sasl: NonNullable<KafkaSinkConfig['sasl']>): SASLOptions {
  const password = sasl.password.reveal();
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password };
  }
}
