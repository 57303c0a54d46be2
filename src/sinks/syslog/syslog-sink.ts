import { hostname } from 'node:os';
import type { OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SyslogSinkConfig } from '../config.ts';
import type { DeadLetterFile } from '../dead-letter.ts';
import { chunkBySize } from '../delivery/chunk.ts';
import { deliverChunks, retryOptions } from '../delivery/deliver-chunks.ts';
import { formatRfc5424, frame } from './rfc5424.ts';
import { StreamTransport, UdpTransport, type SyslogTransport } from './transport.ts';

export interface SyslogSinkOptions {
  name: string;
  config: SyslogSinkConfig;
  logger: Logger;
  deadLetter: DeadLetterFile;
}

const STREAM_CHUNK_BYTES = 1024 * 1024;

/**
 * Syslog RFC 5424 over UDP (one datagram per message; messages over `max_udp_bytes` go to the
 * dead-letter file rather than being truncated), TCP or TLS (RFC 6587 octet counting by default).
 * Network errors reconnect and retry with backoff.
 */
export class SyslogSink implements Sink {
  readonly name: string;
  readonly #config: SyslogSinkConfig;
  readonly #logger: Logger;
  readonly #deadLetter: DeadLetterFile;
  readonly #transport: SyslogTransport;
  readonly #closing = new AbortController();

  constructor(options: SyslogSinkOptions) {
    this.name = options.name;
    this.#config = options.config;
    this.#logger = options.logger;
    this.#deadLetter = options.deadLetter;
    const c = options.config;
    const port = c.port ?? (c.protocol === 'tls' ? 6514 : 514);
    this.#transport =
      c.protocol === 'udp'
        ? new UdpTransport(c.host, port)
        : new StreamTransport({ host: c.host, port, tls: c.protocol === 'tls', tlsConfig: c.tls, timeoutMs: c.timeout });
  }

  async open(): Promise<void> {}

  async write(events: readonly OutputEvent[]): Promise<void> {
    const c = this.#config;
    const format = { facility: c.facility, hostname: c.hostname ?? hostname(), appName: c.app_name, procId: String(process.pid) };
    const payloads = new Map<OutputEvent, Buffer>();
    const oversized: OutputEvent[] = [];
    for (const event of events) {
      const message = formatRfc5424(event, format);
      const payload = c.protocol === 'udp' ? Buffer.from(message, 'utf8') : frame(message, c.framing);
      if (c.protocol === 'udp' && payload.length > c.max_udp_bytes) oversized.push(event);
      else payloads.set(event, payload);
    }
    if (oversized.length > 0) {
      await this.#deadLetter.write(
        oversized.map((event) => ({
          event,
          reason: 'too_large',
          detail: `syslog message over max_udp_bytes (${c.max_udp_bytes}); use protocol tcp or tls for large events`,
        })),
      );
    }
    const chunks = chunkBySize([...payloads.keys()], (e) => (payloads.get(e) as Buffer).length, {
      maxBytes: STREAM_CHUNK_BYTES,
      maxItems: 10_000,
    });
    await deliverChunks(
      chunks,
      async (chunk) => {
        await this.#transport.send(chunk.map((e) => payloads.get(e) as Buffer));
        return { type: 'ok' };
      },
      retryOptions(this.name, c.retry, { signal: this.#closing.signal, logger: this.#logger, deadLetter: this.#deadLetter }),
    );
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#transport.close();
    await this.#deadLetter.close();
  }
}
