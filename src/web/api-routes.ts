import type { FastifyInstance } from 'fastify';
import type { HealthSource } from '../core/health.ts';
import type { EventStore } from '../store/event-store.ts';
import { abortSignalOf, filterOf } from './event-search.ts';
import { exportFormatOf, exportStream } from './export.ts';
import { buildHealthView } from './health-view.ts';
import type { SinkHealthSource } from './sink-health.ts';
import { buildHistogram } from './histogram-data.ts';
import { alertQueryOf, cleanParams, eventQueryOf, facetFieldOf } from './query-params.ts';

export interface ApiDeps {
  store: EventStore;
  health: HealthSource;
  sinks?: SinkHealthSource;
  now: () => number;
}

function notFound(what: string, id: string) {
  return { error: { code: 'NOT_FOUND', message: `no ${what} with id ${id}` } };
}

/** The JSON API behind the pages (same parameters as the pages' query strings). */
export function registerApiRoutes(app: FastifyInstance, { store, health, sinks, now }: ApiDeps): void {
  app.get('/api/events', async (request, reply) =>
    store.searchEvents(eventQueryOf(cleanParams(request.query), now()), { signal: abortSignalOf(reply) }),
  );

  app.get('/api/events/export', async (request, reply) => {
    const params = cleanParams(request.query);
    const format = exportFormatOf(params.format);
    const stream = exportStream(store, eventQueryOf(params, now()), format, { signal: abortSignalOf(reply) });
    const stamp = new Date(now()).toISOString().replace(/[:.]/g, '-');
    return reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson')
      .header('Content-Disposition', `attachment; filename="o365-events-${stamp}.${format}"`)
      .send(stream);
  });

  app.get<{ Params: { id: string } }>('/api/events/:id', async (request, reply) => {
    const event = await store.getEvent(request.params.id);
    return event ?? reply.code(404).send(notFound('event', request.params.id));
  });

  app.get('/api/histogram', async (request, reply) => {
    const filter = filterOf(eventQueryOf(cleanParams(request.query), now()));
    return (await buildHistogram(store, filter, now(), { signal: abortSignalOf(reply) })) ?? { buckets: [] };
  });

  /** Top values: `exact` false means counted over the newest `sample` of `matched` events. */
  app.get('/api/top', async (request, reply) => {
    const params = cleanParams(request.query);
    const field = facetFieldOf(params.field);
    const result = await store.topValues(filterOf(eventQueryOf(params, now())), field, 10, { signal: abortSignalOf(reply) });
    return { field, ...result };
  });

  app.get('/api/alerts', async (request) => store.listAlerts(alertQueryOf(cleanParams(request.query), now())));

  app.get<{ Params: { id: string } }>('/api/alerts/:id', async (request, reply) => {
    const alert = await store.getAlert(request.params.id);
    return alert ?? reply.code(404).send(notFound('alert', request.params.id));
  });

  app.get('/api/health', async () => buildHealthView(health, store, now(), sinks));
}
