import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import { eventIdOf, type SourceRecord } from '../core/source-record.ts';
import { describe, normalize, parseRawRecord } from '../normalize/index.ts';

/** A record that could not be processed, kept whole with the reason (never dropped). */
export interface DeadLetter {
  reason: string;
  source: SourceRecord;
  /** The record as JSON text, when the object itself cannot be serialized by the sinks (nested too deep). */
  rawText?: string;
}

export type Processed = { ok: true; event: ProcessedEvent } | { ok: false; deadLetter: DeadLetter };

/** Adds context to a normalized document in place (GeoIP…); must not throw. */
export type Enrich = (ecs: Record<string, unknown>) => void;

/**
 * Validates, normalizes and enriches one source record. Never throws. With `ecs: false` (raw output and nothing
 * else reading ECS: no store, no detection) the record is only validated: `ecs` stays empty, the description too.
 */
export function processRecord(source: SourceRecord, enrich?: Enrich, options: { ecs: boolean } = { ecs: true }): Processed {
  const parsed = parseRawRecord(source.record);
  if (!parsed.ok) {
    const deadLetter: DeadLetter = { reason: parsed.reason, source };
    if (parsed.rawText !== undefined) deadLetter.rawText = parsed.rawText;
    return { ok: false, deadLetter };
  }
  const id = eventIdOf(source.tenantId, parsed.record);
  if (!id) return { ok: false, deadLetter: { reason: 'record has no Id', source } };
  const base = { id, tenantId: source.tenantId, tenantName: source.tenantName, contentType: source.contentType };
  if (!options.ecs) {
    return { ok: true, event: { ...base, time: parsed.time, raw: parsed.record, ecs: {}, description: '' } };
  }
  try {
    const ecs = normalize(parsed.record);
    enrich?.(ecs);
    return {
      ok: true,
      event: {
        ...base,
        // The ECS @timestamp is the CreationTime that parseRawRecord already parsed (and validated).
        time: parsed.time,
        raw: parsed.record,
        ecs,
        description: describe(parsed.record, ecs),
      },
    };
  } catch (err) {
    return { ok: false, deadLetter: { reason: `normalizer failed: ${(err as Error).message}`, source } };
  }
}

/** What the pipeline needs from the detector (src/detect). */
export interface EventDetector {
  process(event: {
    id: string;
    tenantId: string;
    tenantName: string;
    time: number;
    ecs: Record<string, unknown>;
    raw: Record<string, unknown>;
  }): Alert[];
  /** Closes the correlation windows each tenant's watermark (event time) has passed. */
  flush(): Alert[];
  /** Undoes detection state changed since the last committed checkpoint (the failed batch is delivered again). */
  rollback?(): void;
}
