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
      ...(format === 'both' ? { event: { ...ecs.event, original: JSON.stringify(event.raw) } } : {}),
    };
  }
  return { id: event.id, kind: 'event', tenantId: event.tenantId, time: event.time, document };
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

export function deadLetterDocument(dead: DeadLetter, at: number): OutputEvent {
  const { source, reason } = dead;
  return {
    id: `${source.tenantId}:dead:${source.contentId}:${at}`,
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
