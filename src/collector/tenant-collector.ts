import type { Semaphore } from 'async-mutex';
import type { BlobElement } from '../management-api/blob-records.ts';
import type { ContentType } from '../core/content-types.ts';
import type { Delivery } from '../core/delivery.ts';
import { backoffDelay } from '../core/retry-timing.ts';
import { ApiError } from '../management-api/errors.ts';
import type { ManagementApiClient, SubscriptionWebhook } from '../management-api/management-api-client.ts';
import type { Logger } from '../observability/logger.ts';
import type { FailedWindow, QueuedBlob, StateStore, StreamKey } from '../state/state-store.ts';
import type { BlobDelivery } from './blob-delivery.ts';
import type { CollectionConfig, TenantConfig } from './config.ts';
import { collectorMetrics as m } from './metrics.ts';
import { CycleDrainer } from './cycle-drainer.ts';
import type { ListingQueue } from './listing-queue.ts';
import { MAX_LOOKBACK, planSpan, type ListingWindow, type WindowPlan, windowAt } from './window-planner.ts';

export interface TenantCollectorOptions {
  tenant: TenantConfig;
  collection: CollectionConfig;
  api: ManagementApiClient;
  state: StateStore;
  delivery: Delivery;
  /** Delivers and commits blob batches by group commit; shared by the tenants of one pipeline and state store. */
  blobs: BlobDelivery;
  /** Where the streams of all tenants wait for their listing turns. */
  listings: ListingQueue;
  /**
   * Shared by all tenants: a blob worker holds one slot from before its fetch until its records are delivered, so the
   * records parsed and waiting for delivery stay bounded however many tenants fetch at once.
   */
  blobSlots: Semaphore;
  logger: Logger;
  signal: AbortSignal;
}

export interface CycleResult {
  blobsListed: number;
  blobsFetched: number;
  blobsFailed: number;
  eventsDelivered: number;
}

const errorSummary = (err: unknown): { code: string; message: string } =>
  err instanceof ApiError
    ? { code: err.code, message: err.message }
    : { code: 'ERROR', message: err instanceof Error ? err.message : String(err) };

/** True when the windows, together, cover [span.start, span.end). */
function covers(windows: readonly ListingWindow[], span: ListingWindow): boolean {
  let reached = span.start;
  for (const w of [...windows].sort((a, b) => a.start - b.start)) {
    if (w.start > reached) break;
    reached = Math.max(reached, w.end);
  }
  return reached >= span.end;
}

/** One stream's listing in one cycle, kept between its turns on the listing queue: plain data, no pending request. */
interface StreamPass {
  readonly key: StreamKey;
  /** Set by the first turn (subscription, stream state, plan). */
  started?: {
    subscriptionEnabled: boolean;
    plan: WindowPlan;
    /** Failed windows recorded before this poll. */
    failed: readonly FailedWindow[];
    /** Older failed windows whose retry is due, listed first. */
    retries: { window: ListingWindow; recorded: FailedWindow }[];
  };
  /** Start of the next planned window. */
  next: number;
  listedThrough: number;
  readonly succeeded: ListingWindow[];
  listed: number;
}

/** One tenant's streams (one per content type): subscription, listing into the durable queue, fair blob fetching. */
export class TenantCollector {
  readonly #o: TenantCollectorOptions;
  readonly #keys: readonly StreamKey[];
  readonly #log: Logger;
  readonly #webhook: SubscriptionWebhook | undefined;
  /** Content types whose webhook was sent in this process. */
  readonly #webhookRegistered = new Set<string>();

  constructor(options: TenantCollectorOptions) {
    this.#o = options;
    this.#keys = options.tenant.content_types.map((contentType: ContentType) => ({
      tenantId: options.tenant.tenant_id,
      contentType,
    }));
    this.#log = options.logger.child({ tenant: options.tenant.name });
    const { webhook } = options.tenant;
    this.#webhook = webhook ? { address: webhook.address, ...(webhook.auth_id ? { authId: webhook.auth_id } : {}) } : undefined;
  }

  get keys(): readonly StreamKey[] {
    return this.#keys;
  }

  #labels(key: StreamKey): { tenant: string; content_type: string } {
    return { tenant: this.#o.tenant.name, content_type: key.contentType };
  }

  /**
   * Lists every stream (content types concurrently, window by window on the shared listing queue) while fetching the
   * blobs already queued: a long backfill listing never starves blob fetching. Throws an ApiError of kind `auth`
   * when the tenant's credentials fail.
   */
  async runCycle(): Promise<CycleResult> {
    const result: CycleResult = { blobsListed: 0, blobsFetched: 0, blobsFailed: 0, eventsDelivered: 0 };
    const drainer = new CycleDrainer((tried) => this.#drain(result, tried));
    const listing = this.#listStreams(result, () => drainer.kick()).finally(() => drainer.listingDone());
    const [listed, drained] = await Promise.allSettled([listing, drainer.run()]);
    if (listed.status === 'rejected') throw listed.reason;
    if (drained.status === 'rejected') throw drained.reason;
    return result;
  }

  /**
   * Queues every stream for its listing turns; resolves when all are done, rejects at the first tenant-level (auth)
   * failure, after which the tenant's streams still waiting give up their turns.
   */
  #listStreams(result: CycleResult, onListed: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let left = this.#keys.length;
      let failed = false;
      const done = (): void => {
        left -= 1;
        if (left === 0) resolve();
      };
      if (left === 0) resolve();
      for (const key of this.#keys) {
        const pass: StreamPass = { key, next: 0, listedThrough: 0, succeeded: [], listed: 0 };
        this.#o.listings.add({
          next: async () => {
            if (!failed && !this.#o.signal.aborted) {
              try {
                if (await this.#listTurn(pass, result, onListed)) return true;
              } catch (err) {
                failed = true;
                reject(err);
              }
            }
            done();
            return false;
          },
        });
      }
    });
  }

  /**
   * One turn of a stream's listing: the first also starts the subscription and plans the windows; each lists one
   * window; the last records the poll. True while windows are left. Only a tenant-level (auth) failure is thrown.
   */
  async #listTurn(pass: StreamPass, result: CycleResult, onListed: () => void): Promise<boolean> {
    const { key } = pass;
    try {
      const started = pass.started ?? (await this.#startPass(pass));
      const retry = started.retries.shift();
      const window = retry?.window ?? windowAt(started.plan, pass.next);
      if (window) {
        if (!retry) pass.next = window.end;
        await this.#listWindow(pass, window, retry?.recorded ?? started.failed.find((f) => f.start === window.start), onListed);
        return true;
      }
      await this.#finishPass(pass, started);
      result.blobsListed += pass.listed;
      await this.#o.state.recordPoll(key, Date.now());
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'auth') throw err;
      if (this.#o.signal.aborted) return false;
      await this.#o.state.recordPoll(key, Date.now(), errorSummary(err));
      this.#log.warn({ contentType: key.contentType, err: errorSummary(err) }, 'listing failed; retrying next poll');
    }
    return false;
  }

  /** Fetches the due blobs without listing (a webhook notification enqueued some). Never call it concurrently with runCycle. */
  async drainNow(): Promise<CycleResult> {
    const result: CycleResult = { blobsListed: 0, blobsFetched: 0, blobsFailed: 0, eventsDelivered: 0 };
    await this.#drain(result, new Set());
    return result;
  }

  /** Records a tenant-level failure (bad credentials) on every stream, for the UI. */
  async recordTenantError(err: unknown): Promise<void> {
    const now = Date.now();
    for (const key of this.#keys) await this.#o.state.recordPoll(key, now, errorSummary(err));
  }

  /**
   * Starts the subscription unless it is known to be enabled. Within the 15-minute cooldown after an attempt
   * (which may have succeeded even if we never saw the answer), listing goes ahead: AF20022/23 then tells the truth.
   * A configured webhook is (re)registered once per process, even on an enabled subscription.
   */
  async #ensureSubscription(key: StreamKey): Promise<void> {
    const stream = await this.#o.state.getStream(key);
    const webhook = this.#webhookRegistered.has(key.contentType) ? undefined : this.#webhook;
    if (stream.subscriptionEnabled && !webhook) return;
    const now = Date.now();
    if (stream.lastStartAttemptAt !== undefined && now - stream.lastStartAttemptAt < this.#o.collection.subscription_cooldown) {
      this.#log.debug({ contentType: key.contentType }, 'subscription start cooling down; listing anyway');
      return;
    }
    await this.#o.state.setSubscription(key, stream.subscriptionEnabled, now);
    const outcome = await this.#startSubscription(key, webhook);
    await this.#o.state.setSubscription(key, true);
    m.subscriptionsStarted.inc(this.#labels(key));
    this.#log.info({ contentType: key.contentType, outcome, webhook: webhook?.address }, 'subscription enabled');
  }

  /** Starts with the webhook; when Microsoft cannot validate it (AF20021), polling alone goes on (logged). */
  async #startSubscription(key: StreamKey, webhook: SubscriptionWebhook | undefined): Promise<string> {
    if (!webhook) return this.#o.api.startSubscription(key.contentType);
    this.#webhookRegistered.add(key.contentType);
    try {
      return await this.#o.api.startSubscription(key.contentType, webhook);
    } catch (err) {
      if (!(err instanceof ApiError) || err.afCode !== 'AF20021') {
        this.#webhookRegistered.delete(key.contentType);
        throw err;
      }
      this.#log.error(
        { contentType: key.contentType, address: webhook.address, err: err.message },
        'webhook not validated by the service: notifications are off, polling continues',
      );
      return this.#o.api.startSubscription(key.contentType);
    }
  }

  /** The first turn of a stream's pass: its subscription, where its listing stands, the windows of this poll. */
  async #startPass(pass: StreamPass): Promise<NonNullable<StreamPass['started']>> {
    const { key } = pass;
    await this.#ensureSubscription(key);
    const { collection, api, state } = this.#o;
    const stream = await state.getStream(key);
    const now = Date.now() + api.clockSkewMs;
    const plan = planSpan({
      now,
      listedThrough: stream.listedThrough,
      window: collection.window,
      settleWindow: collection.settle_window,
      backfill: collection.backfill,
      listingDelay: collection.listing_delay,
    });
    const planned = plan.start < plan.end;
    if (stream.listedFrom === undefined && planned) await state.setListedFrom(key, plan.start);
    const failed = await state.failedWindows(key);
    const retries = await this.#retriesDue(key, failed, planned ? plan.start : now, now);
    pass.next = plan.start;
    pass.listedThrough = stream.listedThrough ?? 0;
    pass.started = { subscriptionEnabled: stream.subscriptionEnabled, plan, failed, retries };
    return pass.started;
  }

  /**
   * Lists one window on its own: a window that fails (bad NextPageUri, invalid listing, errors after retries) is
   * recorded and retried with backoff while the newer windows go on being listed. Failures that concern the whole
   * stream or tenant (subscription, clock skew, credentials) are thrown: they stop this poll of the stream.
   */
  async #listWindow(
    pass: StreamPass,
    window: ListingWindow,
    previous: FailedWindow | undefined,
    onListed: () => void,
  ): Promise<void> {
    const { key } = pass;
    const { api, state } = this.#o;
    try {
      for await (const page of api.listContent(key.contentType, window.start, window.end)) {
        const added = await state.enqueueBlobs(key, page, Date.now());
        pass.listed += added.length;
        m.blobsListed.inc(this.#labels(key), added.length);
        if (added.length > 0) onListed();
      }
      pass.succeeded.push(window);
      m.windowsListed.inc(this.#labels(key));
      if (previous) {
        await state.clearWindowFailures(key, previous.start, Math.max(previous.end, window.end));
        this.#log.info(
          { contentType: key.contentType, window: this.#windowText(window), attempts: previous.attempts },
          'listing window listed after failing',
        );
      }
    } catch (err) {
      if (!this.#windowOnly(err)) {
        await this.#onStreamListingError(key, err);
        throw err;
      }
      await this.#recordWindowFailure(key, window, previous, err);
    }
    if (window.end > pass.listedThrough) {
      pass.listedThrough = window.end;
      await state.setListedThrough(key, pass.listedThrough);
    }
  }

  /** After the last window of a pass. */
  async #finishPass(pass: StreamPass, started: NonNullable<StreamPass['started']>): Promise<void> {
    const { key } = pass;
    const { state } = this.#o;
    const { plan } = started;
    const planned = plan.start < plan.end;
    // A failure recorded on other window boundaries (the window size changed) is cleared once its span listed.
    for (const f of started.failed) {
      if (planned && f.start >= plan.start && covers(pass.succeeded, f)) await state.clearWindowFailures(key, f.start, f.end);
    }
    if (!started.subscriptionEnabled && planned) await state.setSubscription(key, true);
    m.windowsFailing.set(this.#labels(key), (await state.failedWindows(key)).length);
  }

  /** True when the error concerns this window only (the next windows may well list). */
  #windowOnly(err: unknown): boolean {
    if (this.#o.signal.aborted) return false;
    return !(err instanceof ApiError && (err.kind === 'auth' || err.kind === 'subscription' || err.kind === 'window'));
  }

  #windowText(window: { start: number; end: number }): string {
    return `${new Date(window.start).toISOString()}/${new Date(window.end).toISOString()}`;
  }

  /**
   * Failed windows older than this poll's planned windows whose retry is due, clamped to what the API still lists.
   * One that has left the 7 days entirely can never be listed: forgotten, loudly (its blobs may be lost).
   */
  async #retriesDue(
    key: StreamKey,
    failed: readonly FailedWindow[],
    plannedStart: number,
    now: number,
  ): Promise<{ window: ListingWindow; recorded: FailedWindow }[]> {
    const earliest = now - MAX_LOOKBACK;
    const due: { window: ListingWindow; recorded: FailedWindow }[] = [];
    for (const f of failed) {
      if (f.start >= plannedStart) continue;
      if (f.end <= earliest) {
        await this.#o.state.clearWindowFailures(key, f.start, f.end);
        m.windowsAbandoned.inc(this.#labels(key));
        this.#log.error(
          { contentType: key.contentType, window: this.#windowText(f), attempts: f.attempts, err: f.error },
          'EVENTS MAY BE LOST: listing window failed until it left the 7 days the API keeps',
        );
        continue;
      }
      const window = { start: Math.max(f.start, Math.ceil(earliest / 1000) * 1000), end: Math.min(f.end, plannedStart) };
      if (f.nextAttemptAt <= Date.now() && window.start < window.end) due.push({ window, recorded: f });
    }
    return due;
  }

  async #recordWindowFailure(
    key: StreamKey,
    window: ListingWindow,
    previous: FailedWindow | undefined,
    err: unknown,
  ): Promise<void> {
    const { collection } = this.#o;
    const attempts = (previous?.attempts ?? 0) + 1;
    const delay = backoffDelay(attempts - 1, collection.retry_base_delay, collection.retry_max_delay);
    const { code, message } = errorSummary(err);
    const at = Date.now();
    const bounds = previous ? { start: previous.start, end: Math.max(previous.end, window.end) } : window;
    await this.#o.state.recordWindowFailure(key, bounds, {
      error: `${code}: ${message}`,
      nextAttemptAt: at + delay,
      at,
    });
    m.windowFailures.inc(this.#labels(key));
    this.#log.warn(
      { contentType: key.contentType, window: this.#windowText(window), attempts, retryInMs: delay, code, err: message },
      'listing window failed; newer windows go on, this one is retried',
    );
  }

  async #onStreamListingError(key: StreamKey, err: unknown): Promise<void> {
    const { api, state } = this.#o;
    if (err instanceof ApiError && err.kind === 'subscription') {
      // AF20022 (no subscription at all) proves the last start attempt did not take effect (e.g. the process died
      // before sending it): start at once. AF20023 (disabled) keeps the cooldown Microsoft asks for between starts.
      await state.setSubscription(key, false, err.code === 'AF20022' ? 0 : undefined);
      this.#log.warn(
        { contentType: key.contentType, code: err.code },
        err.code === 'AF20022'
          ? 'no subscription found; starting it'
          : 'subscription disabled; it will be started again after the cooldown',
      );
    } else if (err instanceof ApiError && err.kind === 'window') {
      this.#log.warn(
        { contentType: key.contentType, code: err.code, clockSkewMs: api.clockSkewMs },
        'window rejected; re-planning next poll',
      );
    }
  }

  /** Fetches due blobs with bounded concurrency, round-robin across content types; each blob is tried once per cycle. */
  async #drain(result: CycleResult, tried: Set<string>): Promise<void> {
    const queues = new Map<string, QueuedBlob[]>(this.#keys.map((k) => [k.contentType, []]));
    let turn = 0;
    const take = async (): Promise<{ key: StreamKey; blob: QueuedBlob } | undefined> => {
      for (let scanned = 0; scanned < this.#keys.length; scanned += 1) {
        const key = this.#keys[turn % this.#keys.length]!;
        turn += 1;
        const queue = queues.get(key.contentType)!;
        if (queue.length === 0) {
          const due = await this.#o.state.dueBlobs(key, Date.now(), this.#o.collection.concurrency * 4 + tried.size);
          queue.push(...due.filter((b) => !tried.has(`${key.contentType}\n${b.contentId}`)));
        }
        while (queue.length > 0) {
          const blob = queue.shift()!;
          const id = `${key.contentType}\n${blob.contentId}`;
          if (tried.has(id)) continue;
          tried.add(id);
          return { key, blob };
        }
      }
      return undefined;
    };
    let authError: unknown;
    const worker = async (): Promise<void> => {
      while (!this.#o.signal.aborted && authError === undefined) {
        // Local storage full: fetch nothing until the pipeline can store it again.
        await this.#o.delivery.ready?.(this.#o.signal);
        if (this.#o.signal.aborted) return;
        const [, release] = await this.#o.blobSlots.acquire();
        try {
          if (this.#o.signal.aborted) return;
          const next = await take();
          if (!next) return;
          await this.#processBlob(next.key, next.blob, result);
        } catch (err) {
          authError = err;
        } finally {
          release();
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.collection.concurrency }, worker));
    if (authError !== undefined) throw authError;
  }

  async #processBlob(key: StreamKey, blob: QueuedBlob, result: CycleResult): Promise<void> {
    const { collection, api, blobs } = this.#o;
    if (blob.expiration <= Date.now() + api.clockSkewMs) {
      await this.#expire(key, blob, `expired at ${new Date(blob.expiration).toISOString()} before it could be fetched`);
      return;
    }
    const commit = async (elements: BlobElement[], deliveredThrough: number, done: boolean): Promise<void> => {
      const outcome = await blobs.deliver({
        key,
        tenantName: this.#o.tenant.name,
        blob,
        elements,
        deliveredThrough,
        done,
        dedupUntil: Date.now() + collection.dedup_ttl,
      });
      result.eventsDelivered += outcome.delivered;
      m.eventsDelivered.inc(this.#labels(key), outcome.delivered);
      m.dedupHits.inc(this.#labels(key), outcome.duplicates);
    };
    let invalid = 0;
    let firstInvalid: string | undefined;
    try {
      let index = 0;
      let batch: BlobElement[] = [];
      for await (const element of api.fetchBlob(blob.contentUri, blob.contentId)) {
        index += 1;
        if (index <= blob.delivered) continue;
        if ('invalid' in element) {
          invalid += 1;
          firstInvalid ??= element.reason;
        }
        batch.push(element);
        if (batch.length >= collection.batch_size) {
          await commit(batch, index, false);
          batch = [];
        }
      }
      await commit(batch, Math.max(index, blob.delivered), true);
      if (invalid > 0) {
        m.elementsInvalid.inc(this.#labels(key), invalid);
        this.#log.warn(
          { contentType: key.contentType, contentId: blob.contentId, invalid, reason: firstInvalid },
          "blob elements that are not records sent to the dead-letter output; the blob's records were delivered",
        );
      }
      result.blobsFetched += 1;
      m.blobsFetched.inc(this.#labels(key));
      m.contentLag.set(this.#labels(key), Math.max(0, (Date.now() - blob.contentCreated) / 1000));
    } catch (err) {
      if (this.#o.signal.aborted) return;
      if (err instanceof ApiError && err.kind === 'auth') throw err;
      if (err instanceof ApiError && err.kind === 'gone') {
        await this.#expire(key, blob, err.message);
        return;
      }
      await this.#fail(key, blob, err, result);
    }
  }

  async #fail(key: StreamKey, blob: QueuedBlob, err: unknown, result: CycleResult): Promise<void> {
    const { collection } = this.#o;
    const attempts = blob.attempts + 1;
    const apiError = err instanceof ApiError ? err : undefined;
    const quarantine = apiError !== undefined && (apiError.kind === 'fatal' || attempts >= collection.max_blob_attempts);
    const delay = quarantine
      ? collection.quarantine_retry_delay
      : backoffDelay(attempts - 1, collection.retry_base_delay, collection.retry_max_delay);
    const { message } = errorSummary(err);
    await this.#o.state.recordBlobFailure(key, blob.contentId, { error: message, nextAttemptAt: Date.now() + delay, quarantine });
    result.blobsFailed += 1;
    m.blobsFailed.inc(this.#labels(key));
    if (quarantine && blob.state !== 'quarantined') {
      m.blobsQuarantined.inc(this.#labels(key));
      this.#log.error(
        { contentType: key.contentType, contentId: blob.contentId, attempts, err: message },
        'blob quarantined: it will be retried at low priority',
      );
    } else {
      this.#log.warn(
        { contentType: key.contentType, contentId: blob.contentId, attempts, retryInMs: delay, err: message },
        'blob fetch failed; will retry',
      );
    }
  }

  async #expire(key: StreamKey, blob: QueuedBlob, reason: string): Promise<void> {
    await this.#o.state.markBlobExpired(key, blob.contentId, reason);
    m.blobsExpired.inc(this.#labels(key));
    this.#log.error(
      {
        contentType: key.contentType,
        contentId: blob.contentId,
        contentCreated: new Date(blob.contentCreated).toISOString(),
        delivered: blob.delivered,
        reason,
      },
      'EVENTS LOST: blob expired or gone before it could be fetched',
    );
  }
}
