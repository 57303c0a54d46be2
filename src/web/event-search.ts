import type { FastifyReply } from 'fastify';
import type { EventFilter, EventQuery } from '../store/event-query.ts';
import type { EventSearch, SearchOptions } from '../store/event-store.ts';
import type { EventPage, FacetField, FacetValue } from '../store/types.ts';
import { buildHistogram, type Histogram } from './histogram-data.ts';

export function filterOf(query: EventQuery): EventFilter {
  const { limit: _limit, cursor: _cursor, order: _order, ...filter } = query;
  return filter;
}

/** Aborts when the HTTP client goes away before its answer was sent: the search it started is stopped. */
export function abortSignalOf(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export const FACETS: { field: FacetField; param: string; label: string }[] = [
  { field: 'action', param: 'action', label: 'Top operations' },
  { field: 'user', param: 'user', label: 'Top users' },
  { field: 'sourceIp', param: 'ip', label: 'Top source IPs' },
  { field: 'tenant', param: 'tenant', label: 'Tenants' },
  { field: 'workload', param: 'workload', label: 'Workloads' },
];

export interface FacetGroup {
  field: FacetField;
  param: string;
  label: string;
  values: FacetValue[];
  /** False when the counts were taken over the newest `sample` matching events only. */
  exact: boolean;
  sample: number;
}

export interface EventSearchResult {
  page: EventPage;
  histogram?: Histogram;
  facets: FacetGroup[];
}

/** Everything the events page shows for one query: the page, the histogram and the top values (run off-thread). */
export async function searchWithContext(
  store: EventSearch,
  query: EventQuery,
  now: number,
  signal?: AbortSignal,
): Promise<EventSearchResult> {
  const options: SearchOptions = signal ? { signal } : {};
  const page = await store.searchEvents(query, options);
  if (page.total === 0) return { page, facets: [] };
  const filter = filterOf(query);
  const [histogram, ...facets] = await Promise.all([
    buildHistogram(store, filter, now, options),
    ...FACETS.map(async (f) => {
      const result = await store.topValues(filter, f.field, 5, options);
      return { ...f, values: result.values, exact: result.exact, sample: result.sample };
    }),
  ]);
  return { page, ...(histogram ? { histogram } : {}), facets };
}
