import type { DeliverFn, Delivery, SinkPositions } from '../../core/delivery.ts';
import type { OutputEvent } from '../../core/output-event.ts';
import type { Sink } from '../../core/sink.ts';
import { eventIdOf, type SourceRecord } from '../../core/source-record.ts';

/**
 * Test-only Delivery: writes each raw record to every sink (no normalization), one batch at a time,
 * and returns the sinks' positions. Stands in for the pipeline so collector tests do not depend on it.
 */
export class SinkDelivery implements Delivery {
  #tail: Promise<unknown> = Promise.resolve();
  batches = 0;

  constructor(private readonly sinks: readonly Sink[]) {}

  /** Opens every sink at its committed position; returns the positions right after opening (the baseline). */
  async open(positions: SinkPositions): Promise<SinkPositions> {
    for (const sink of this.sinks) await sink.open(positions[sink.name]);
    return this.#positions();
  }

  async close(): Promise<void> {
    await this.#tail.catch(() => undefined);
    for (const sink of this.sinks) await sink.close();
  }

  exclusive<T>(fn: (deliver: DeliverFn) => Promise<T>): Promise<T> {
    const run = this.#tail.catch(() => undefined).then(() => fn((records) => this.#deliver(records)));
    this.#tail = run;
    return run;
  }

  async #deliver(records: readonly SourceRecord[]): Promise<SinkPositions> {
    const events: OutputEvent[] = records.map((r) => ({
      id: eventIdOf(r.tenantId, r.record) ?? `${r.tenantId}:${r.contentId}`,
      kind: 'event',
      tenantId: r.tenantId,
      time: Date.now(),
      document: { tenantId: r.tenantId, contentType: r.contentType, record: r.record },
    }));
    await Promise.all(this.sinks.map((sink) => sink.write(events)));
    this.batches += 1;
    return this.#positions();
  }

  #positions(): SinkPositions {
    const positions: Record<string, string> = {};
    for (const sink of this.sinks) {
      const position = sink.position?.();
      if (position !== undefined) positions[sink.name] = position;
    }
    return positions;
  }
}
