import type { OutputEvent } from '../../core/output-event.ts';

/**
 * The target index of an event: `{yyyy}` `{MM}` `{dd}` from the event time (UTC), `{kind}` and
 * `{tenant}` from the event. Lower-cased, as Elasticsearch and OpenSearch require.
 */
export function indexName(template: string, event: OutputEvent): string {
  const date = new Date(Number.isFinite(event.time) ? event.time : Date.now());
  const pad = (n: number): string => String(n).padStart(2, '0');
  return template
    .replaceAll('{yyyy}', String(date.getUTCFullYear()))
    .replaceAll('{MM}', pad(date.getUTCMonth() + 1))
    .replaceAll('{dd}', pad(date.getUTCDate()))
    .replaceAll('{kind}', event.kind)
    .replaceAll('{tenant}', event.tenantId)
    .toLowerCase();
}
