import type { FastifyInstance } from 'fastify';
import type { Secret } from '../core/secret.ts';
import type { AnalystStore } from '../store/analyst/analyst-store.ts';
import { actorOf } from './actor.ts';
import { requireCsrf } from './csrf.ts';
import { WebQueryError } from './errors.ts';
import { cleanParams, linkTo } from './query-params.ts';

export interface SavedSearchDeps {
  analyst: AnalystStore;
  token: Secret;
  now: () => number;
}

/** Parameters that belong to one page of results, not to the search itself. */
const NOT_SAVED = new Set(['cursor', 'token', '_csrf', 'name', 'format']);

/** The events-page query string of a search, without paging state. */
export function searchQueryOf(query: string): string {
  const params = new URLSearchParams(query.replace(/^\?/, ''));
  for (const key of [...params.keys()]) if (NOT_SAVED.has(key) || params.get(key) === '') params.delete(key);
  params.sort();
  return params.toString();
}

function idOf(value: string): number {
  if (!/^\d{1,12}$/.test(value)) throw new WebQueryError('id', 'must be a saved search id');
  return Number(value);
}

function textField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string') throw new WebQueryError(field, 'is required');
  return value;
}

/** Saved searches: a form on the events page and a JSON API; every change is CSRF-checked and audited. */
export function registerSavedSearchRoutes(app: FastifyInstance, { analyst, token, now }: SavedSearchDeps): void {
  const csrf = requireCsrf(token);

  app.post('/searches', { preHandler: csrf }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const query = searchQueryOf(textField(body, 'query'));
    await analyst.searches.save(textField(body, 'name'), query, actorOf(request), now());
    return reply.redirect(query ? `/events?${query}` : '/events', 303);
  });

  app.post<{ Params: { id: string } }>('/searches/:id/delete', { preHandler: csrf }, async (request, reply) => {
    await analyst.searches.delete(idOf(request.params.id), actorOf(request), now());
    const back = cleanParams(request.body).back;
    return reply.redirect(back?.startsWith('/events') ? back : '/events', 303);
  });

  app.get('/api/saved-searches', async () => ({
    searches: (await analyst.searches.list()).map((s) => ({
      ...s,
      href: linkTo('/events', Object.fromEntries(new URLSearchParams(s.query))),
    })),
  }));

  app.post('/api/saved-searches', { preHandler: csrf }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const saved = await analyst.searches.save(
      textField(body, 'name'),
      searchQueryOf(textField(body, 'query')),
      actorOf(request),
      now(),
    );
    return reply.code(201).send(saved);
  });

  app.delete<{ Params: { id: string } }>('/api/saved-searches/:id', { preHandler: csrf }, async (request, reply) => {
    const deleted = await analyst.searches.delete(idOf(request.params.id), actorOf(request), now());
    if (!deleted)
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no saved search with id ${request.params.id}` } });
    return reply.code(204).send();
  });
}
