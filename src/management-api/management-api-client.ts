import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import type { Secret } from '../core/secret.ts';
import type { Logger } from '../observability/logger.ts';
import type { ListedBlob } from '../state/state-store.ts';
import { backoffDelay, parseRetryAfter } from '../core/retry-timing.ts';
import { parseBlobElements, type BlobElement } from './blob-records.ts';
import { ApiError, classifyApiError, isRetryable } from './errors.ts';
import { parseListing } from './listing-entries.ts';
import type { Operation, RequestLanes } from './request-lanes.ts';
import { apiRedirects, apiRequestDuration, apiRetries, apiThrottles, listingEntriesSkipped } from './metrics.ts';
import type { TokenBucket } from './token-bucket.ts';
import type { TokenProvider } from './token-provider.ts';

export interface ManagementApiClientOptions {
  tenantId: string;
  tenantName: string;
  /** Sent as PublisherIdentifier on every call. */
  publisherId: string;
  /** API base URL; the only origin that ever receives the bearer token. */
  apiUrl: string;
  tokens: TokenProvider;
  bucket: TokenBucket;
  dispatcher: Dispatcher;
  /** Shared by every tenant: bounds control requests so blob downloads are never starved of connections. */
  lanes?: RequestLanes;
  logger: Logger;
  requestTimeoutMs: number;
  /** Attempts per request for throttled/transient failures before the error is raised. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  signal?: AbortSignal;
}

export type SubscriptionResult = 'started' | 'already-enabled';

/** Webhook sent on subscription start: notifications are POSTed to `address` with `Webhook-AuthID: authId`. */
export interface SubscriptionWebhook {
  address: string;
  authId?: Secret;
}

/** One entry of `/subscriptions/list` (a missing `status` counts as enabled, as in Microsoft's own sample). */
export interface SubscriptionStatus {
  contentType: string;
  enabled: boolean;
}

interface OpenResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

/** Largest error body read to extract the AF code. */
const MAX_ERROR_BODY = 64 * 1024;
/** A listing never follows more pages than this (a loop in NextPageUri is an error, not a hang). */
const MAX_PAGES = 10_000;
/** Redirects followed for one request (each to the API host only). */
const MAX_REDIRECTS = 5;
/** Skew below this is the Date header's own resolution plus network time: ignored. */
const SKEW_TOLERANCE_MS = 5_000;

const header = (headers: OpenResponse['headers'], name: string): string | undefined => {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

/** `YYYY-MM-DDTHH:MM:SS` in UTC, the documented window format. */
export function formatApiTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

async function readErrorBody(body: OpenResponse['body']): Promise<{ code?: string; message?: string }> {
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString();
    if (text.length > MAX_ERROR_BODY) break;
  }
  body.destroy();
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : undefined;
    return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
  } catch {
    return text ? { message: text.slice(0, 300) } : {};
  }
}

/**
 * One tenant's Management Activity API client: PublisherIdentifier on every call, bearer token only to the API
 * origin, shared token bucket, retries with exponential backoff + jitter (honouring Retry-After), one token
 * re-acquisition on 401, clock skew measured from the Date header.
 */
export class ManagementApiClient {
  readonly #o: ManagementApiClientOptions;
  readonly #origin: string;
  readonly #feedRoot: string;
  #clockSkewMs = 0;

  constructor(options: ManagementApiClientOptions) {
    this.#o = options;
    this.#origin = new URL(options.apiUrl).origin;
    this.#feedRoot = `${options.apiUrl}/api/v1.0/${options.tenantId}/activity/feed`;
  }

  /** Server clock minus local clock (ms), from the last response's Date header; 0 when within tolerance. */
  get clockSkewMs(): number {
    return this.#clockSkewMs;
  }

  /**
   * Starts the subscription of a content type, with a webhook when given (the service validates it first: AF20021
   * when it cannot). AF20024 (already enabled) counts as success.
   */
  async startSubscription(contentType: string, webhook?: SubscriptionWebhook): Promise<SubscriptionResult> {
    const url = `${this.#feedRoot}/subscriptions/start?contentType=${encodeURIComponent(contentType)}`;
    const body = webhook
      ? JSON.stringify({ webhook: { address: webhook.address, authId: webhook.authId?.reveal() ?? '', expiration: '' } })
      : '';
    try {
      const response = await this.#send('POST', url, 'subscribe', body);
      await response.body.dump();
      return 'started';
    } catch (err) {
      if (err instanceof ApiError && err.afCode === 'AF20024') return 'already-enabled';
      throw err;
    }
  }

  /** The tenant's subscriptions (`/subscriptions/list`); content types never started are absent. */
  async listSubscriptions(): Promise<SubscriptionStatus[]> {
    const response = await this.#send('GET', `${this.#feedRoot}/subscriptions/list`, 'subscriptions');
    let body: unknown;
    try {
      body = await response.body.json();
    } catch (err) {
      throw new ApiError('subscription list is not valid JSON', { kind: 'transient', afCode: 'INVALID_LISTING', cause: err });
    }
    if (!Array.isArray(body))
      throw new ApiError('subscription list is not a JSON array', { kind: 'transient', afCode: 'INVALID_LISTING' });
    return body.flatMap((item: unknown) => {
      const entry = item as { contentType?: unknown; status?: unknown } | null;
      if (!entry || typeof entry.contentType !== 'string') return [];
      return [
        { contentType: entry.contentType, enabled: typeof entry.status !== 'string' || entry.status.toLowerCase() === 'enabled' },
      ];
    });
  }

  /** Lists the blobs created in [start, end) (≤ 24 h), one array per page, following NextPageUri/NextPageUrl. */
  async *listContent(contentType: string, start: number, end: number): AsyncGenerator<ListedBlob[]> {
    const labels = { tenant: this.#o.tenantName, content_type: contentType };
    let url: string | undefined =
      `${this.#feedRoot}/subscriptions/content?contentType=${encodeURIComponent(contentType)}&startTime=${formatApiTime(start)}&endTime=${formatApiTime(end)}`;
    const visited = new Set<string>();
    while (url) {
      if (visited.has(url) || visited.size >= MAX_PAGES) {
        throw new ApiError(`listing of ${contentType} loops or exceeds ${MAX_PAGES} pages (next page ${url})`, {
          kind: 'fatal',
          afCode: 'PAGING_LOOP',
        });
      }
      visited.add(url);
      const response = await this.#send('GET', url, 'list');
      const next = header(response.headers, 'nextpageuri') ?? header(response.headers, 'nextpageurl');
      let page: unknown;
      try {
        page = await response.body.json();
      } catch (err) {
        throw new ApiError(`listing of ${contentType} is not valid JSON`, {
          kind: 'transient',
          afCode: 'INVALID_LISTING',
          cause: err,
        });
      }
      const { blobs, skipped } = parseListing(page, contentType, start);
      for (const entry of skipped) {
        listingEntriesSkipped.inc(labels);
        this.#o.logger.warn(
          { contentType, entry: entry.index, contentId: entry.contentId, reason: entry.reason },
          'listing entry skipped: it cannot be fetched',
        );
      }
      yield blobs;
      url = next?.trim() || undefined;
    }
  }

  /** The elements of one blob, streamed: records, and anything else the array holds (with the reason it is no record). */
  async *fetchBlob(contentUri: string, contentId: string): AsyncGenerator<BlobElement> {
    const response = await this.#send('GET', contentUri, 'blob');
    yield* parseBlobElements(response.body, contentId);
  }

  #withPublisher(url: URL): void {
    const has = [...url.searchParams.keys()].some((k) => k.toLowerCase() === 'publisheridentifier');
    if (!has) url.searchParams.set('PublisherIdentifier', this.#o.publisherId);
  }

  /** The URL, if the token may be sent there (the API host only). */
  #allowedUrl(rawUrl: string, operation: Operation): URL {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new ApiError(`refusing ${operation} request: "${rawUrl}" is not a URL`, { kind: 'fatal', afCode: 'BAD_URL' });
    }
    if (url.origin !== this.#origin) {
      throw new ApiError(
        `refusing to send the token to ${url.origin}: only ${this.#origin} is the API host of tenant ${this.#o.tenantName}`,
        {
          kind: 'fatal',
          afCode: 'HOST_NOT_ALLOWED',
        },
      );
    }
    this.#withPublisher(url);
    return url;
  }

  /**
   * Sends the request, following 3xx redirects to the API host only (with the token); any other redirect, or one
   * without a usable Location, is an error (kind `fatal`): a redirect is never taken for an (empty) success.
   */
  async #send(method: 'GET' | 'POST', rawUrl: string, operation: Operation, body = ''): Promise<OpenResponse> {
    let url = this.#allowedUrl(rawUrl, operation);
    for (let redirects = 0; ; redirects += 1) {
      const response = await this.#sendOnce(method, url, operation, body);
      if (response.statusCode < 300 || response.statusCode >= 400) return response;
      await response.body.dump();
      const location = header(response.headers, 'location');
      const status = response.statusCode;
      let target: URL | undefined;
      try {
        target = location ? new URL(location, url) : undefined;
      } catch {
        target = undefined;
      }
      const shown = target ? `${target.origin}${target.pathname}` : `"${location ?? ''}"`;
      apiRedirects.inc({ tenant: this.#o.tenantName, operation, followed: String(target?.origin === this.#origin) });
      if (!target) {
        throw new ApiError(`${operation} answered HTTP ${status} without a usable Location (${shown})`, {
          kind: 'fatal',
          status,
          afCode: 'BAD_REDIRECT',
        });
      }
      if (target.origin !== this.#origin) {
        throw new ApiError(
          `${operation} redirected (HTTP ${status}) to ${shown}, not the API host ${this.#origin}: not followed (the token goes to the API host only)`,
          { kind: 'fatal', status, afCode: 'REDIRECT_NOT_ALLOWED' },
        );
      }
      if (redirects >= MAX_REDIRECTS) {
        throw new ApiError(`${operation} redirected more than ${MAX_REDIRECTS} times (last to ${shown})`, {
          kind: 'fatal',
          status,
          afCode: 'TOO_MANY_REDIRECTS',
        });
      }
      url = this.#allowedUrl(target.toString(), operation);
    }
  }

  async #sendOnce(method: 'GET' | 'POST', url: URL, operation: Operation, body: string): Promise<OpenResponse> {
    let refreshedToken = false;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#attempt(method, url, operation, refreshedToken, body);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401 && err.kind === 'auth' && !refreshedToken && err.afCode === undefined) {
          refreshedToken = true;
          continue;
        }
        const apiError =
          err instanceof ApiError
            ? err
            : new ApiError(`${operation} request failed: ${(err as Error).message}`, {
                kind: 'transient',
                afCode: 'NETWORK',
                cause: err,
              });
        if (!isRetryable(apiError.kind) || attempt >= this.#o.maxAttempts || this.#o.signal?.aborted) throw apiError;
        const delay = Math.max(apiError.retryAfterMs ?? 0, backoffDelay(attempt - 1, this.#o.retryBaseMs, this.#o.retryMaxMs));
        if (apiError.kind === 'throttled') this.#o.bucket.pauseUntil(Date.now() + delay);
        apiRetries.inc({ tenant: this.#o.tenantName, operation, kind: apiError.kind });
        this.#o.logger.debug({ operation, attempt, delayMs: delay, code: apiError.code }, 'retrying Management API request');
        await sleep(delay, undefined, this.#o.signal ? { signal: this.#o.signal } : undefined);
      }
    }
  }

  async #attempt(
    method: 'GET' | 'POST',
    url: URL,
    operation: Operation,
    refreshToken: boolean,
    body: string,
  ): Promise<OpenResponse> {
    await this.#o.bucket.take(this.#o.signal);
    const token = await this.#o.tokens.getToken(refreshToken);
    const started = performance.now();
    const send = () =>
      request(url, {
        method,
        dispatcher: this.#o.dispatcher,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
        },
        ...(method === 'POST' ? { body } : {}),
        headersTimeout: this.#o.requestTimeoutMs,
        bodyTimeout: this.#o.requestTimeoutMs,
        ...(this.#o.signal ? { signal: this.#o.signal } : {}),
      });
    const response = await (this.#o.lanes ? this.#o.lanes.run(operation, send) : send());
    apiRequestDuration.observe(
      { tenant: this.#o.tenantName, operation, status: String(response.statusCode) },
      (performance.now() - started) / 1000,
    );
    this.#observeClock(header(response.headers, 'date'));
    if (response.statusCode < 400) return response;
    const { code, message } = await readErrorBody(response.body);
    const kind = classifyApiError(response.statusCode, code);
    if (kind === 'throttled') apiThrottles.inc({ tenant: this.#o.tenantName, operation });
    const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'), Date.now());
    throw new ApiError(
      `${operation} ${url.pathname.split('/').slice(-1)[0] ?? ''}: HTTP ${response.statusCode}${code ? ` ${code}` : ''}${message ? `: ${message.split(/\r?\n/)[0]}` : ''}`,
      {
        kind,
        status: response.statusCode,
        ...(code ? { afCode: code } : {}),
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      },
    );
  }

  #observeClock(date: string | undefined): void {
    const server = date ? Date.parse(date) : NaN;
    if (Number.isNaN(server)) return;
    const skew = server - Date.now();
    this.#clockSkewMs = Math.abs(skew) > SKEW_TOLERANCE_MS ? skew : 0;
  }
}
