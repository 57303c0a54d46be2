import { setTimeout as sleep } from 'node:timers/promises';
import {
  EventHubConsumerClient,
  earliestEventPosition,
  latestEventPosition,
  type Checkpoint,
  type PartitionContext,
  type ReceivedEventData,
  type Subscription,
} from '@azure/event-hubs';
import type { Delivery, SinkPositions } from '../../core/delivery.ts';
import type { HealthSource, StreamHealth } from '../../core/health.ts';
import { eventIdOf, type SourceRecord } from '../../core/source-record.ts';
import { silentLogger, type Logger } from '../../observability/logger.ts';
import { openCheckpointStores, type CheckpointStores } from './checkpoint-stores.ts';
import type { EventHubConfig } from './config.ts';
import { EventHubError } from './errors.ts';
import { eventHubDuplicates, eventHubHeartbeats, eventHubLag, eventHubRecords } from './metrics.ts';
import { METADATA_KEY, toAuditRecord, type EventHubMetadata, type HubPosition } from './to-audit-record.ts';
import { unwrapBody } from './unwrap.ts';

export const EVENTHUB_CONTENT_TYPE = 'EventHub';

export interface EventHubSourceOptions {
  config: EventHubConfig;
  delivery: Delivery;
  /** Folder of the default SQLite checkpoint file (the config's `data_dir`). */
  dataDir: string;
  logger?: Logger;
  /** Delivery attempts per batch before the partition is released and re-read from its checkpoint (default 5). */
  maxDeliveryAttempts?: number;
  /** First retry delay, doubled on each attempt (default 500 ms). */
  retryDelayMs?: number;
}

/**
 * Consumes one Event Hub (all partitions this collector owns) and hands its records to the pipeline:
 * for each received batch, inside `delivery.exclusive`: drop ids already delivered → deliver → commit
 * (delivered ids + sink positions + checkpoint). The checkpoint only moves after every sink acknowledged,
 * so a crash re-reads from the last checkpoint and the dedup ledger drops what had been delivered.
 */
export class EventHubSource implements HealthSource {
  readonly #config: EventHubConfig;
  readonly #delivery: Delivery;
  readonly #dataDir: string;
  readonly #logger: Logger;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: number;
  readonly #health: StreamHealth;
  #stores: CheckpointStores | undefined;
  #client: EventHubConsumerClient | undefined;
  #subscription: Subscription | undefined;
  #stopping: AbortController | undefined;

  constructor(options: EventHubSourceOptions) {
    this.#config = options.config;
    this.#delivery = options.delivery;
    this.#dataDir = options.dataDir;
    this.#logger = (options.logger ?? silentLogger).child({ eventhub: options.config.name });
    this.#maxAttempts = options.maxDeliveryAttempts ?? 5;
    this.#retryDelayMs = options.retryDelayMs ?? 500;
    this.#health = {
      tenantId: options.config.tenant ?? options.config.name,
      tenantName: options.config.tenant ?? options.config.name,
      contentType: EVENTHUB_CONTENT_TYPE,
      status: 'starting',
      eventsTotal: 0,
      pendingBlobs: 0,
      quarantinedBlobs: 0,
      expiredBlobs: 0,
    };
  }

  get name(): string {
    return this.#config.name;
  }

  /** Opens the checkpoint store and starts receiving; resolves once the subscription is set up. */
  async start(): Promise<void> {
    if (this.#subscription) return;
    const config = this.#config;
    this.#stores = await openCheckpointStores(config.checkpoint_store, this.#dataDir);
    this.#stopping = new AbortController();
    try {
      const clientOptions = {
        loadBalancingOptions: {
          strategy: config.load_balancing,
          updateIntervalInMs: config.ownership_interval,
          partitionOwnershipExpirationIntervalInMs: config.ownership_expiration,
        },
      };
      this.#client = config.event_hub_name
        ? new EventHubConsumerClient(
            config.consumer_group,
            config.connection_string.reveal(),
            config.event_hub_name,
            this.#stores.checkpoints,
            clientOptions,
          )
        : new EventHubConsumerClient(
            config.consumer_group,
            config.connection_string.reveal(),
            this.#stores.checkpoints,
            clientOptions,
          );
    } catch (err) {
      await this.#stores.close();
      this.#stores = undefined;
      throw new EventHubError('EVENTHUB_CONFIG', config.name, this.#scrub((err as Error).message), { cause: err });
    }
    this.#subscription = this.#client.subscribe(
      {
        processEvents: (events, context) => this.#processEvents(events, context),
        processError: async (err, context) => this.#recordError(err, context.partitionId),
      },
      {
        startPosition: config.start_position === 'earliest' ? earliestEventPosition : latestEventPosition,
        maxBatchSize: config.max_batch_size,
        maxWaitTimeInSeconds: Math.max(config.max_wait_time / 1000, 0.1),
        skipParsingBodyAsJson: true,
      },
    );
    this.#logger.info(
      { consumerGroup: config.consumer_group, checkpointStore: config.checkpoint_store.type },
      'event hub consumer started',
    );
  }

  /** Stops receiving (ownership is released for other collectors) and closes the stores. */
  async stop(): Promise<void> {
    this.#stopping?.abort();
    try {
      await this.#subscription?.close();
      await this.#client?.close();
    } finally {
      await this.#stores?.close();
      this.#subscription = undefined;
      this.#client = undefined;
      this.#stores = undefined;
      this.#health.status = 'disabled';
    }
  }

  /** Sink positions committed with this hub's checkpoints (to pass to `Sink.open` on start). */
  async sinkPositions(): Promise<SinkPositions> {
    const stores = this.#stores ?? (await openCheckpointStores(this.#config.checkpoint_store, this.#dataDir));
    try {
      return await stores.ledger.sinkPositions();
    } finally {
      if (stores !== this.#stores) await stores.close();
    }
  }

  async streamHealth(): Promise<StreamHealth[]> {
    return [{ ...this.#health }];
  }

  async #processEvents(events: ReceivedEventData[], context: PartitionContext): Promise<void> {
    const stores = this.#stores;
    const last = events[events.length - 1];
    if (!stores || !last) return;
    this.#health.lastPollAt = Date.now();
    const records = this.#toSourceRecords(events, context);
    const checkpoint: Checkpoint = {
      fullyQualifiedNamespace: context.fullyQualifiedNamespace,
      eventHubName: context.eventHubName,
      consumerGroup: context.consumerGroup,
      partitionId: context.partitionId,
      sequenceNumber: last.sequenceNumber,
      offset: last.offset,
    };
    const delivered = await this.#deliverWithRetry(stores, records, checkpoint);
    const now = Date.now();
    this.#health.status = 'ok';
    this.#health.lastSuccessAt = now;
    this.#health.eventsTotal += delivered;
    this.#health.newestContentAt = last.enqueuedTimeUtc.getTime();
    eventHubLag.set(
      { hub: this.#config.name, partition: context.partitionId },
      Math.max(0, (now - last.enqueuedTimeUtc.getTime()) / 1000),
    );
  }

  #toSourceRecords(events: readonly ReceivedEventData[], context: PartitionContext): SourceRecord[] {
    const config = this.#config;
    const records: SourceRecord[] = [];
    for (const event of events) {
      const position: HubPosition = {
        eventHubName: context.eventHubName,
        consumerGroup: context.consumerGroup,
        partitionId: context.partitionId,
        sequenceNumber: event.sequenceNumber,
        offset: event.offset,
        enqueuedTime: event.enqueuedTimeUtc,
      };
      const { items, heartbeats } = unwrapBody(event.body);
      if (heartbeats > 0) eventHubHeartbeats.inc({ hub: config.name }, heartbeats);
      items.forEach((item, index) => {
        const record = toAuditRecord(item, position, index);
        const meta = record[METADATA_KEY] as EventHubMetadata;
        eventHubRecords.inc({ hub: config.name, kind: meta.kind });
        if (meta.error)
          this.#logger.warn(
            { partition: context.partitionId, sequenceNumber: event.sequenceNumber, code: meta.error.code },
            meta.error.message,
          );
        const recordTenant =
          typeof record.OrganizationId === 'string' && record.OrganizationId ? record.OrganizationId : undefined;
        records.push({
          tenantId: config.tenant ?? recordTenant ?? config.name,
          tenantName: config.tenant ?? config.name,
          source: 'eventhub',
          contentType: EVENTHUB_CONTENT_TYPE,
          contentId: `${context.partitionId}:${event.sequenceNumber}`,
          record,
        });
      });
    }
    return records;
  }

  /**
   * One exclusive step: drop seen ids → deliver → commit; then, for an external checkpoint store (blob, PostgreSQL),
   * move the checkpoint. That write comes after the exclusive step: if it fails, the delivered ids are already
   * committed and the re-read batch is dropped as duplicates. Returns how many records were delivered.
   */
  async #deliverOnce(stores: CheckpointStores, records: readonly SourceRecord[], checkpoint: Checkpoint): Promise<number> {
    const delivered = await this.#delivery.exclusive(async (deliver) => {
      const ids = records.map((r) => eventIdOf(r.tenantId, r.record) as string);
      const seen = await stores.ledger.filterSeen(ids);
      const fresh: SourceRecord[] = [];
      const freshIds: string[] = [];
      records.forEach((record, i) => {
        const id = ids[i] as string;
        if (seen.has(id)) return;
        seen.add(id);
        fresh.push(record);
        freshIds.push(id);
      });
      if (fresh.length < records.length) eventHubDuplicates.inc({ hub: this.#config.name }, records.length - fresh.length);
      const positions = fresh.length > 0 ? await deliver(fresh) : {};
      await stores.ledger.commitDelivered({
        ...(stores.checkpointsInLedger ? { checkpoint } : {}),
        eventIds: freshIds,
        seenUntil: Date.now() + this.#config.dedup_window,
        positions,
      });
      return fresh.length;
    });
    if (!stores.checkpointsInLedger) await stores.checkpoints.updateCheckpoint(checkpoint);
    return delivered;
  }

  async #deliverWithRetry(stores: CheckpointStores, records: readonly SourceRecord[], checkpoint: Checkpoint): Promise<number> {
    let delay = this.#retryDelayMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#deliverOnce(stores, records, checkpoint);
      } catch (err) {
        this.#recordError(err, checkpoint.partitionId);
        if (attempt >= this.#maxAttempts || this.#stopping?.signal.aborted) {
          throw new EventHubError(
            'EVENTHUB_DELIVERY_FAILED',
            this.#config.name,
            `partition ${checkpoint.partitionId}: delivery failed ${attempt} times, will re-read from the last checkpoint: ${(err as Error).message}`,
            { cause: err },
          );
        }
        await sleep(delay, undefined, { signal: this.#stopping?.signal }).catch(() => undefined);
        delay *= 2;
      }
    }
  }

  #recordError(err: unknown, partitionId: string): void {
    const message = this.#scrub(err instanceof Error ? err.message : String(err));
    const code =
      err instanceof EventHubError ? err.code : (((err as { code?: unknown })?.code as string | undefined) ?? 'EVENTHUB_ERROR');
    this.#health.status = 'degraded';
    this.#health.lastError = { code: String(code), message: `partition ${partitionId}: ${message}`, at: Date.now() };
    this.#logger.warn({ partition: partitionId, code }, message);
  }

  /** Removes the connection string and its key from a message that may quote them. */
  #scrub(message: string): string {
    const connection = this.#config.connection_string.reveal();
    const key = /SharedAccessKey=([^;]+)/.exec(connection)?.[1];
    let out = message.split(connection).join('[redacted]');
    if (key) out = out.split(key).join('[redacted]');
    return out;
  }
}
