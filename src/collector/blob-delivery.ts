import type { AuditRecord } from '../core/audit-record.ts';
import type { BlobElement } from '../management-api/blob-records.ts';
import type { Delivery } from '../core/delivery.ts';
import { eventIdOf, type SourceRecord } from '../core/source-record.ts';
import type { QueuedBlob, StateStore, StreamKey } from '../state/state-store.ts';

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
}

export interface BatchOutcome {
  delivered: number;
  duplicates: number;
}

/**
 * Delivers one batch exactly once: with exclusive use of the sinks, drop ids already delivered (state) or repeated
 * in the batch, deliver the rest, then commit blob progress + ids + sink positions in one transaction.
 * A crash before the commit leaves sinks to roll back to the committed positions on their next open.
 */
export async function deliverBatch(
  state: StateStore,
  delivery: Delivery,
  batch: BlobBatch,
  dedupUntil: number,
): Promise<BatchOutcome> {
  const { key, blob } = batch;
  return delivery.exclusive(async (deliver) => {
    const records = batch.elements.map((e) => ('record' in e ? e.record : (e.invalid as AuditRecord)));
    const ids = batch.elements.map((e) => ('record' in e ? eventIdOf(key.tenantId, e.record) : undefined));
    const seen = await state.filterSeen(ids.filter((id): id is string => id !== undefined));
    const inBatch = new Set<string>();
    const fresh: SourceRecord[] = [];
    const freshIds: string[] = [];
    records.forEach((record, i) => {
      const id = ids[i];
      if (id !== undefined) {
        if (seen.has(id) || inBatch.has(id)) return;
        inBatch.add(id);
        freshIds.push(id);
      }
      fresh.push({
        tenantId: key.tenantId,
        tenantName: batch.tenantName,
        source: 'management-api',
        contentType: key.contentType,
        contentId: blob.contentId,
        record,
      });
    });
    const positions = fresh.length > 0 ? await deliver(fresh) : {};
    await state.commitBatch({
      key,
      contentId: blob.contentId,
      delivered: batch.deliveredThrough,
      done: batch.done,
      eventIds: freshIds,
      seenUntil: dedupUntil,
      eventsDelivered: fresh.length,
      positions,
      contentCreated: blob.contentCreated,
    });
    return { delivered: fresh.length, duplicates: records.length - fresh.length };
  });
}
