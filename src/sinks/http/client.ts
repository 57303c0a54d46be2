import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import type { TlsConfig } from '../config.ts';
import { parseRetryAfter } from '../../core/retry-timing.ts';
import type { ChunkOutcome } from '../delivery/deliver-chunks.ts';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface HttpClientOptions {
  timeoutMs: number;
  tls?: TlsConfig;
  gzip?: boolean;
  userAgent?: string;
}

export const USER_AGENT = 'o365-intake/0.1';

/** A keep-alive HTTP(S) client for one sink: POST with optional gzip, a timeout, and the sink's TLS settings. */
export class HttpClient {
  readonly #agent: Agent;
  readonly #options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#agent = new Agent({
      connect: {
        timeout: options.timeoutMs,
        ...(options.tls?.ca_file ? { ca: readFileSync(options.tls.ca_file) } : {}),
        ...(options.tls?.insecure_skip_verify ? { rejectUnauthorized: false } : {}),
      },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  async send(
    url: string,
    body: string | Buffer,
    headers: Record<string, string>,
    method: 'POST' | 'PUT' = 'POST',
  ): Promise<HttpResponse> {
    const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const payload = this.#options.gzip ? gzipSync(raw) : raw;
    const res = await request(url, {
      method,
      dispatcher: this.#agent,
      headers: {
        'user-agent': this.#options.userAgent ?? USER_AGENT,
        ...(this.#options.gzip ? { 'content-encoding': 'gzip' } : {}),
        ...headers,
      },
      body: payload,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  }

  /** Ends the connections now: a request still in flight fails (its events stay spooled or unacknowledged). */
  async close(): Promise<void> {
    await this.#agent.destroy();
  }
}

/**
 * Statuses that refuse the whole request because of our settings (credentials, URL, index), not the events:
 * the events must wait in the spool until the destination answers again, never be dead-lettered.
 */
export const MISCONFIGURED_STATUSES: ReadonlySet<number> = new Set([401, 403, 404]);

/**
 * Common mapping of an HTTP status to a chunk outcome: 2xx ok, 413 split, 408/429/5xx retry,
 * 401/403/404 misconfigured (the destination refuses us: keep the events), other 4xx reject.
 */
export function outcomeOfStatus(res: HttpResponse): ChunkOutcome {
  const detail = `HTTP ${res.status}: ${excerpt(res.text)}`;
  if (res.status >= 200 && res.status < 300) return { type: 'ok' };
  if (MISCONFIGURED_STATUSES.has(res.status)) return { type: 'misconfigured', detail };
  if (res.status === 413) return { type: 'split', detail };
  if (res.status === 408 || res.status === 429 || res.status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
    return retryAfterMs === undefined ? { type: 'retry', detail } : { type: 'retry', detail, retryAfterMs };
  }
  return { type: 'reject', reason: 'rejected', detail };
}

/** The start of a response body, on one line, for error messages. */
export function excerpt(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line || '(empty body)';
}
