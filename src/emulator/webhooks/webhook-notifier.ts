import { Agent, request } from 'undici';
import type { ContentType } from '../../core/content-types.ts';
import type { Logger } from '../../observability/logger.ts';
import { ApiError } from '../api-error.ts';
import { isoMillis } from '../time-format.ts';

export type WebhookStatus = 'enabled' | 'disabled' | 'expired';

/** A subscription's webhook, as `/subscriptions/list` shows it. */
export interface Webhook {
  address: string;
  authId: string;
  /** Epoch ms; undefined = never expires. */
  expiration?: number;
  status: WebhookStatus;
  /** App (appid claim) that started the subscription: sent as `clientId` in notifications. */
  clientId: string;
}

/** Content fields of one notification (same as a `/subscriptions/content` entry plus tenant and app). */
export interface NotifiedBlob {
  tenantId: string;
  contentType: ContentType;
  contentId: string;
  contentUri: string;
  contentCreated: number;
  contentExpiration: number;
}

/** One delivery attempt, as `/subscriptions/notifications` lists it. */
export interface NotificationRecord extends NotifiedBlob {
  notificationSent: number;
  notificationStatus: 'Succeeded' | 'Failed';
}

export interface WebhookNotifierOptions {
  /** PEM CA trusted for webhook addresses (tests: the receiver's self-signed certificate). */
  ca?: string;
  /** Delivery attempts of one notification before the webhook is disabled (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled each attempt (default 200 ms). */
  retryBaseMs?: number;
  /** Timeout of one POST (default 10 s). */
  timeoutMs?: number;
  /** Notification history entries kept per subscription (default 1000). */
  historyLimit?: number;
  now: () => number;
  logger: Logger;
}

const MAX_RESPONSE_BYTES = 64 * 1024;
const keyOf = (tenantId: string, contentType: ContentType): string => `${tenantId.toLowerCase()}\n${contentType}`;

function validationFailed(address: string, reason: string): ApiError {
  return new ApiError(400, 'AF20021', `The webhook endpoint ${address} could not be validated. ${reason}`);
}

/** The emulator's webhook side: validation handshake on start, one push per published blob, bounded retries, history. */
export class WebhookNotifier {
  readonly #o: Required<Omit<WebhookNotifierOptions, 'ca'>>;
  readonly #agent: Agent;
  readonly #webhooks = new Map<string, Webhook>();
  readonly #history = new Map<string, NotificationRecord[]>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #abort = new AbortController();

  constructor(options: WebhookNotifierOptions) {
    this.#o = { maxAttempts: 5, retryBaseMs: 200, timeoutMs: 10_000, historyLimit: 1000, ...options };
    this.#agent = new Agent({ connect: options.ca ? { ca: options.ca } : {} });
  }

  /** POSTs the validation code to `address`; throws AF20021 unless it answers 200 over HTTPS. */
  async validate(address: string, authId: string): Promise<void> {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      throw validationFailed(address, 'The address is not a valid URL.');
    }
    if (url.protocol !== 'https:') throw validationFailed(address, 'The address must begin with HTTPS.');
    const code = crypto.randomUUID();
    const status = await this.#post(
      url,
      authId,
      { 'webhook-validationcode': code },
      JSON.stringify({ validationCode: code }),
    ).catch((err: unknown) => {
      throw validationFailed(address, `The endpoint could not be reached (${(err as Error).message}).`);
    });
    if (status !== 200) throw validationFailed(address, `The endpoint did not return HTTP 200 (got ${status}).`);
  }

  set(tenantId: string, contentType: ContentType, webhook: Omit<Webhook, 'status'>): Webhook {
    const stored: Webhook = { ...webhook, status: 'enabled' };
    this.#webhooks.set(keyOf(tenantId, contentType), stored);
    return stored;
  }

  /** The webhook of a subscription, with `expired` applied. */
  get(tenantId: string, contentType: ContentType): Webhook | undefined {
    const webhook = this.#webhooks.get(keyOf(tenantId, contentType));
    if (webhook?.status === 'enabled' && webhook.expiration !== undefined && this.#o.now() >= webhook.expiration)
      webhook.status = 'expired';
    return webhook;
  }

  history(tenantId: string, contentType: ContentType): readonly NotificationRecord[] {
    return this.#history.get(keyOf(tenantId, contentType)) ?? [];
  }

  /** Pushes one notification for a newly published blob when its subscription has an enabled webhook. */
  notify(blob: NotifiedBlob): void {
    const webhook = this.get(blob.tenantId, blob.contentType);
    if (webhook?.status !== 'enabled' || this.#abort.signal.aborted) return;
    const pending: Promise<void> = this.#deliver(webhook, blob).finally(() => this.#inFlight.delete(pending));
    this.#inFlight.add(pending);
  }

  /** Stops retries and waits for deliveries in flight. */
  async close(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#inFlight]);
    await this.#agent.close();
  }

  async #deliver(webhook: Webhook, blob: NotifiedBlob): Promise<void> {
    const body = JSON.stringify([
      {
        tenantId: blob.tenantId,
        clientId: webhook.clientId,
        contentType: blob.contentType,
        contentId: blob.contentId,
        contentUri: blob.contentUri,
        contentCreated: isoMillis(blob.contentCreated),
        contentExpiration: isoMillis(blob.contentExpiration),
      },
    ]);
    for (let attempt = 0; attempt < this.#o.maxAttempts; attempt += 1) {
      if (attempt > 0) {
        const delay = this.#o.retryBaseMs * 2 ** (attempt - 1);
        const slept = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), delay);
          this.#abort.signal.addEventListener(
            'abort',
            () => {
              clearTimeout(timer);
              resolve(false);
            },
            { once: true },
          );
        });
        if (!slept) return;
      }
      if (webhook.status !== 'enabled') return;
      const status = await this.#post(new URL(webhook.address), webhook.authId, {}, body).catch((err: unknown) => {
        this.#o.logger.debug({ err, address: webhook.address }, 'webhook notification failed');
        return 0;
      });
      this.#record(blob, status === 200);
      if (status === 200) return;
    }
    if (this.#abort.signal.aborted) return;
    webhook.status = 'disabled';
    this.#o.logger.warn(
      { address: webhook.address, tenantId: blob.tenantId, contentType: blob.contentType },
      'webhook disabled after repeated notification failures',
    );
  }

  #record(blob: NotifiedBlob, ok: boolean): void {
    const key = keyOf(blob.tenantId, blob.contentType);
    const list = this.#history.get(key) ?? [];
    list.push({ ...blob, notificationSent: this.#o.now(), notificationStatus: ok ? 'Succeeded' : 'Failed' });
    if (list.length > this.#o.historyLimit) list.splice(0, list.length - this.#o.historyLimit);
    this.#history.set(key, list);
  }

  async #post(url: URL, authId: string, headers: Record<string, string>, body: string): Promise<number> {
    const response = await request(url, {
      method: 'POST',
      dispatcher: this.#agent,
      headers: { 'content-type': 'application/json; charset=utf-8', ...(authId ? { 'webhook-authid': authId } : {}), ...headers },
      body,
      headersTimeout: this.#o.timeoutMs,
      bodyTimeout: this.#o.timeoutMs,
      signal: this.#abort.signal,
    });
    let size = 0;
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_RESPONSE_BYTES) break;
    }
    return response.statusCode;
  }
}

/** The `webhook` property of `/subscriptions/start` and `/subscriptions/list` answers (null when none). */
export function webhookView(webhook: Webhook | undefined): Record<string, string | null> | null {
  if (!webhook) return null;
  return {
    status: webhook.status,
    address: webhook.address,
    authId: webhook.authId,
    expiration: webhook.expiration === undefined ? null : isoMillis(webhook.expiration),
  };
}
