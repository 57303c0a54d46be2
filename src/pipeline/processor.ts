import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import { eventIdOf, type SourceRecord } from '../core/source-record.ts';
import type * as normalizeModule from '../normalize/index.ts';
import { parseRawRecord } from '../normalize/parse-raw-record.ts';

/**
 * The ECS normalizer (src/normalize). Loaded only when something reads ECS (`loadEcsNormalizer`): its modules
 * (record types, URL and user-agent parsing) cost ~60 ms of CPU to load, which the raw path does without.
 */
export type EcsNormalizer = Pick<typeof normalizeModule, 'normalize' | 'describe'>;

export const loadEcsNormalizer = (): Promise<EcsNormalizer> => import('../normalize/index.ts');

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
 * Validates, normalizes (with `normalizer`) and enriches one source record. Never throws. Without a normalizer (raw
 * output and nothing else reading ECS: no store, no detection) the record is only validated: `ecs` stays empty, the
 * description too.
 */
export function processRecord(source: SourceRecord, enrich?: Enrich, normalizer?: EcsNormalizer): Processed {
  // A source keeps a record's text only for a record it found within the depth bound.
  const parsed = parseRawRecord(source.record, source.text !== undefined);
  if (!parsed.ok) {
    const deadLetter: DeadLetter = { reason: parsed.reason, source };
    if (parsed.rawText !== undefined) deadLetter.rawText = parsed.rawText;
    return { ok: false, deadLetter };
  }
  const id = eventIdOf(source.tenantId, parsed.record);
  if (!id) return { ok: false, deadLetter: { reason: 'record has no Id', source } };
  if (!normalizer) {
    // One literal with every field (rawText too), so every raw event has one shape and is built in one allocation.
    const event: ProcessedEvent = {
      id,
      tenantId: source.tenantId,
      tenantName: source.tenantName,
      contentType: source.contentType,
      time: parsed.time,
      raw: parsed.record,
      ecs: {},
      description: '',
      rawText: source.text,
    };
    return { ok: true, event };
  }
  const base = { id, tenantId: source.tenantId, tenantName: source.tenantName, contentType: source.contentType };
  try {
    const ecs = normalizer.normalize(parsed.record);
    enrich?.(ecs);
    const event: ProcessedEvent = {
      ...base,
      // The ECS @timestamp is the CreationTime that parseRawRecord already parsed (and validated).
      time: parsed.time,
      raw: parsed.record,
      ecs,
      description: normalizer.describe(parsed.record, ecs),
    };
    if (source.text !== undefined) event.rawText = source.text;
    return { ok: true, event };
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
