import { createHash } from 'node:crypto';
import { jsonTextOf } from '../normalize/record-shape.ts';
import type { Alert } from '../core/alert.ts';
import type { OutputEvent } from '../core/output-event.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { DeadLetter } from './processor.ts';

export type OutputFormat = 'raw' | 'ecs' | 'both';

/** The document sinks receive for an event, in the configured format. */
export function eventDocument(event: ProcessedEvent, format: OutputFormat): OutputEvent {
  let document: Record<string, unknown>;
  if (format === 'raw') {
    document = event.raw;
  } else {
    const ecs = event.ecs as Record<string, unknown> & { event?: Record<string, unknown> };
    document = {
      ...ecs,
      message: event.description,
      labels: { ...(ecs.labels as object | undefined), tenant: event.tenantName, content_type: event.contentType },
      observer: { product: 'o365-intake', type: 'collector' },
      // The stable id (tenant + record Id): a receiver that sees it twice drops the repeat.
      event: { ...ecs.event, id: event.id, ...(format === 'both' ? { original: JSON.stringify(event.raw) } : {}) },
    };
  }
  const output: OutputEvent = { id: event.id, kind: 'event', tenantId: event.tenantId, time: event.time, document };
  // Serialized here once for every sink (and, in format ecs, the store), or the raw record's text as received.
  if (format !== 'raw') output.json = JSON.stringify(document);
  else if (event.rawText !== undefined) output.json = event.rawText;
  return output;
}

/** The ECS document the embedded store keeps for an event: the one sinks receive in format ecs, as JSON. */
export function storedEcsText(event: ProcessedEvent, output: OutputEvent, format: OutputFormat): string {
  return format === 'ecs' && output.json !== undefined ? output.json : (eventDocument(event, 'ecs').json as string);
}

export function alertDocument(alert: Alert): OutputEvent {
  return {
    id: alert.id,
    kind: 'alert',
    tenantId: alert.tenantId,
    time: alert.time,
    document: {
      '@timestamp': new Date(alert.time).toISOString(),
      event: { kind: 'alert', created: new Date(alert.createdAt).toISOString(), severity_name: alert.level },
      rule: { id: alert.ruleId, name: alert.title, description: alert.description, author: alert.author, tags: alert.tags },
      threat: { technique: { id: alert.attack } },
      labels: { tenant: alert.tenantName ?? alert.tenantId },
      organization: { id: alert.tenantId },
      // A grouped alert is sent again with the same id and a higher count: index it by id (upsert).
      alert: {
        id: alert.id,
        event_ids: alert.eventIds,
        group_by: alert.groupBy,
        entity: alert.entity,
        count: alert.count,
        first_seen: alert.firstSeen === undefined ? undefined : new Date(alert.firstSeen).toISOString(),
        last_seen: alert.lastSeen === undefined ? undefined : new Date(alert.lastSeen).toISOString(),
      },
      message: `${alert.level.toUpperCase()} ${alert.title}`,
    },
  };
}

/**
 * `ordinal` tells apart identical bad elements of one blob (two `null`s), so the id is unique in the blob and the same
 * when the blob is delivered again: a sink that keeps one document per id (Elasticsearch `_id`) keeps every one of them.
 */
export function deadLetterDocument(dead: DeadLetter, at: number, ordinal = 0): OutputEvent {
  const { source, reason } = dead;
  const digest = createHash('sha256')
    .update(dead.rawText ?? jsonTextOf(source.record))
    .digest('base64url')
    .slice(0, 16);
  return {
    id: `${source.tenantId}:dead:${source.contentId}:${digest}:${ordinal}`,
    kind: 'dead-letter',
    tenantId: source.tenantId,
    time: at,
    document: {
      '@timestamp': new Date(at).toISOString(),
      error: { message: reason },
      labels: {
        tenant: source.tenantName,
        content_type: source.contentType,
        content_id: source.contentId,
        source: source.source,
      },
      // A record too deep for the sinks' serializers is kept as its JSON text.
      ...(dead.rawText === undefined ? { raw: source.record } : { raw_text: dead.rawText }),
    },
  };
}
