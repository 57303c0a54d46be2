import type { FastifyInstance } from 'fastify';
import type { HealthSource } from '../core/health.ts';
import type { Secret } from '../core/secret.ts';
import type { AnalystStore } from '../store/analyst/analyst-store.ts';
import type { EventStore } from '../store/event-store.ts';
import { cleanName, setAnalystCookie } from './actor.ts';
import { type AuthOptions, setSessionCookie, signInFailed } from './auth.ts';
import { csrfTokenFor } from './csrf.ts';
import { abortSignalOf, searchWithContext } from './event-search.ts';
import { buildHealthView } from './health-view.ts';
import type { SinkHealthSource } from './sink-health.ts';
import { cleanParams, eventQueryOf } from './query-params.ts';
import { queryErrorOf, sendHtml } from './respond.ts';
import { safeNext, SESSION_COOKIE, tokenMatches } from './session.ts';
import { eventPage } from './views/event-page.ts';
import { eventsPage } from './views/events-page.ts';
import { healthPage } from './views/health-page.ts';
import { notFoundPage } from './views/layout.ts';
import { loginPage } from './views/login-page.ts';

const DEFAULT_RANGE = '24h';

export interface PageDeps {
  store: EventStore;
  analyst: AnalystStore;
  health: HealthSource;
  sinks?: SinkHealthSource;
  token: Secret;
  auth: AuthOptions;
  now: () => number;
}

async function tenantNames(store: EventStore): Promise<string[]> {
  return [...new Set((await store.streamStats()).map((s) => s.tenantName))].sort();
}

export function registerPageRoutes(app: FastifyInstance, deps: PageDeps): void {
  const { store, analyst, health, sinks, token, auth, now } = deps;
  const { throttle, sessions } = auth;

  app.get('/', async (_request, reply) => reply.redirect('/events', 303));

  app.get('/events', async (request, reply) => {
    const given = cleanParams(request.query);
    // The landing page shows the last day; any explicit search decides its own range ("All time" sends range=all).
    const params = Object.keys(given).length === 0 ? { range: DEFAULT_RANGE } : given;
    const context = {
      params,
      tenants: await tenantNames(store),
      saved: await analyst.searches.list(),
      csrf: csrfTokenFor(request, reply, token),
    };
    try {
      const result = await searchWithContext(store, eventQueryOf(params, now()), now(), abortSignalOf(reply));
      return sendHtml(reply, eventsPage({ ...context, ...result }));
    } catch (err) {
      const bad = queryErrorOf(err);
      if (!bad) throw err;
      const at = bad.position !== undefined ? { errorPosition: bad.position } : {};
      return sendHtml(reply, eventsPage({ ...context, facets: [], error: bad.message, ...at }), 400);
    }
  });

  app.get<{ Params: { id: string } }>('/events/:id', async (request, reply) => {
    const event = await store.getEvent(request.params.id);
    return event
      ? sendHtml(reply, eventPage(event, cleanParams(request.query)))
      : sendHtml(reply, notFoundPage(`No event with id ${request.params.id} (it may have expired).`), 404);
  });

  app.get('/health', async (_request, reply) =>
    sendHtml(reply, healthPage(await buildHealthView(health, store, now(), sinks), now())),
  );

  app.get('/login', async (request, reply) => {
    const params = cleanParams(request.query);
    return sendHtml(
      reply,
      loginPage(safeNext(params.next), params.failed ? 'That token is not valid.' : undefined),
      params.failed ? 401 : 200,
    );
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    if (!throttle.admit(request.ip, now())) {
      return sendHtml(reply, loginPage(next, 'Too many failed attempts from this address: wait a second and try again.'), 429);
    }
    if (typeof body.token === 'string' && tokenMatches(token, body.token.trim())) {
      throttle.succeed(request.ip);
      setSessionCookie(request, reply, sessions, now());
      setAnalystCookie(request, reply, cleanName(body.name));
      return reply.redirect(next, 303);
    }
    signInFailed(auth, request, 'form');
    return sendHtml(reply, loginPage(next, 'That token is not valid.'), 401);
  });

  app.post('/logout', async (request, reply) => {
    sessions.revoke(request.cookies[SESSION_COOKIE]);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
