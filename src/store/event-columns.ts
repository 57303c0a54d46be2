/** How a column is compared: case-insensitive text, epoch-ms time, a list of values, or the tenant (id or name). */
export type ColumnKind = 'text' | 'time' | 'list' | 'tenant';

export interface EventColumn {
  column: string;
  kind: ColumnKind;
}

/**
 * ECS fields kept as columns of the events table by both stores (indexed or cheap to scan), and the page's short
 * filter names. Any other name is read from the stored documents. Only the user column's name differs between stores.
 */
export function eventColumns(userColumn: string): Readonly<Record<string, EventColumn>> {
  return {
    '@timestamp': { column: 'e.time', kind: 'time' },
    'event.action': { column: 'e.action', kind: 'text' },
    'event.outcome': { column: 'e.outcome', kind: 'text' },
    'event.category': { column: 'e.category', kind: 'list' },
    'service.name': { column: 'e.workload', kind: 'text' },
    'source.ip': { column: 'e.source_ip', kind: 'text' },
    'source.geo.country_iso_code': { column: 'e.country', kind: 'text' },
    'organization.id': { column: 'e.tenant_id', kind: 'text' },
    tenant: { column: 'e.tenant_id', kind: 'tenant' },
    user: { column: userColumn, kind: 'text' },
    ip: { column: 'e.source_ip', kind: 'text' },
    action: { column: 'e.action', kind: 'text' },
    workload: { column: 'e.workload', kind: 'text' },
    outcome: { column: 'e.outcome', kind: 'text' },
    content_type: { column: 'e.content_type', kind: 'text' },
  };
}
