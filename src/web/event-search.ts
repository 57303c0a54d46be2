import type { EventFilter, EventQuery } from '../store/event-query.ts';
import type { EventStore } from '../store/event-store.ts';
import type { EventPage, FacetField, FacetValue } from '../store/types.ts';
import { buildHistogram, type Histogram } from './histogram-data.ts';

export function filterOf(query: EventQuery): EventFilter {
  const { limit: _limit, cursor: _cursor, ...filter } = query;
  return filter;
}

export const FACETS: { field: FacetField; param: string; label: string }[] = [
  { field: 'action', param: 'action', label: 'Top operations' },
  { field: 'user', param: 'user', label: 'Top users' },
  { field: 'sourceIp', param: 'ip', label: 'Top source IPs' },
  { field: 'tenant', param: 'tenant', label: 'Tenants' },
  { field: 'workload', param: 'workload', label: 'Workloads' },
];

export interface EventSearchResult {
  page: EventPage;
  histogram?: Histogram;
  facets: { field: FacetField; param: string; label: string; values: FacetValue[] }[];
}

/** Everything the events page shows for one query: the page, the histogram and the top values. */
export function searchWithContext(store: EventStore, query: EventQuery, now: number): EventSearchResult {
  const page = store.searchEvents(query);
  const filter = filterOf(query);
  const histogram = page.total > 0 ? buildHistogram(store, filter, now) : undefined;
  const facets = page.total > 0 ? FACETS.map((f) => ({ ...f, values: store.topValues(filter, f.field, 5) })) : [];
  return { page, ...(histogram ? { histogram } : {}), facets };
}
