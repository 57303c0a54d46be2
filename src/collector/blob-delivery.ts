import type { AuditRecord } from '../core/audit-record.ts';
import type { Delivery } from '../core/delivery.ts';
import { eventIdOf, type SourceRecord } from '../core/source-record.ts';
import type { BlobElement } from '../management-api/blob-records.ts';
import type { BatchCommit, QueuedBlob, StateStore, StreamKey } from '../state/state-store.ts';

export interface BlobBatch {
  key: StreamKey;
  tenantName: string;
  blob: QueuedBlob;
  /**
   * The blob's elements in order: records, and elements that are no record (string, null…), which are handed to the
   * pipeline as they are: it validates every record and sends these to the dead-letter output with the reason.
   */
  elements: readonly BlobElement[];
  /** Records of the blob delivered once this batch commits. */
  deliveredThrough: number;
  done: boolean;
  /** Ids delivered in this batch are remembered until then (epoch ms). */
  dedupUntil: number;
}

export interface BatchOutcome {
  delivered: number;
  duplicates: number;
}

/** How much one group commit may hold. */
export interface GroupLimits {
  /** Elements (records) of all the group's batches; a single bigger batch still goes alone. */
  maxRecords: number;
  /** Batches (blob parts) in one group. */
  maxBatches: number;
}

/** Defaults: up to 8 waiting batches, at most 8,000 records, per group commit. */
export const DEFAULT_GROUP_LIMITS: GroupLimits = { maxRecords: 8000, maxBatches: 8 };

interface Waiting {
  batch: BlobBatch;
  resolve: (outcome: BatchOutcome) => void;
  reject: (err: unknown) => void;
}

/**
 * Delivers blob batches exactly once, by group commit: the batches that wait while a group is delivered (from any
 * blob, stream or tenant sharing this pipeline and state store) form the next group, within `GroupLimits`. A group
 * is one atomic step with exclusive use of the sinks: drop ids already delivered (state) or repeated in the group,
 * deliver the rest in one call (one sink write and fsync, one store transaction), then commit every batch's blob
 * progress + ids + the sink positions in one state transaction. A crash before that commit leaves the sinks to roll
 * back to the committed positions on their next open; a failed group fails each of its batches (each blob retries).
 */
export class BlobDelivery {
  readonly #state: StateStore;
  readonly #delivery: Delivery;
  readonly #limits: GroupLimits;
  readonly #waiting: Waiting[] = [];
  #running = false;

  constructor(state: StateStore, delivery: Delivery, limits: GroupLimits = DEFAULT_GROUP_LIMITS) {
    this.#state = state;
    this.#delivery = delivery;
    this.#limits = limits;
  }

  /** Resolves once the batch is delivered and committed (with the group it joined). */
  deliver(batch: BlobBatch): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        const group = this.#takeGroup();
        try {
          const outcomes = await this.#commitGroup(group.map((w) => w.batch));
          for (const [i, w] of group.entries()) w.resolve(outcomes[i] as BatchOutcome);
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** The oldest waiting batches, in arrival order, within the limits (always at least one). */
  #takeGroup(): Waiting[] {
    let records = 0;
    let count = 0;
    for (const w of this.#waiting) {
      const size = w.batch.elements.length;
      if (count > 0 && (count >= this.#limits.maxBatches || records + size > this.#limits.maxRecords)) break;
      records += size;
      count += 1;
    }
    return this.#waiting.splice(0, count);
  }

  #commitGroup(batches: readonly BlobBatch[]): Promise<BatchOutcome[]> {
    return this.#delivery.exclusive(async (deliver) => {
      const ids = batches.map((b) => b.elements.map((e) => ('record' in e ? eventIdOf(b.key.tenantId, e.record) : undefined)));
      const seen = await this.#state.filterSeen(ids.flat().filter((id): id is string => id !== undefined));
      const inGroup = new Set<string>();
      const fresh: SourceRecord[] = [];
      const commits: Omit<BatchCommit, 'positions'>[] = [];
      const outcomes: BatchOutcome[] = [];
      batches.forEach((batch, b) => {
        const { key, blob } = batch;
        const batchIds = ids[b] as (string | undefined)[];
        const freshIds: string[] = [];
        let delivered = 0;
        batch.elements.forEach((element, i) => {
          const id = batchIds[i];
          if (id !== undefined) {
            if (seen.has(id) || inGroup.has(id)) return;
            inGroup.add(id);
            freshIds.push(id);
          }
          delivered += 1;
          const record: SourceRecord = {
            tenantId: key.tenantId,
            tenantName: batch.tenantName,
            source: 'management-api',
            contentType: key.contentType,
            contentId: blob.contentId,
            record: 'record' in element ? element.record : (element.invalid as AuditRecord),
          };
          if ('text' in element && element.text !== undefined) record.text = element.text;
          fresh.push(record);
        });
        commits.push({
          key,
          contentId: blob.contentId,
          delivered: batch.deliveredThrough,
          done: batch.done,
          eventIds: freshIds,
          seenUntil: batch.dedupUntil,
          eventsDelivered: delivered,
          contentCreated: blob.contentCreated,
        });
        outcomes.push({ delivered, duplicates: batch.elements.length - delivered });
      });
      const positions = fresh.length > 0 ? await deliver(fresh) : {};
      await this.#state.commitBatches(commits.map((commit) => ({ ...commit, positions })));
      return outcomes;
    });
  }
}
