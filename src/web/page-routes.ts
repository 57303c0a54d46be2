import type { FastifyInstance } from 'fastify';
import type { HealthSource } from '../core/health.ts';
import type { Secret } from '../core/secret.ts';
import type { EventStore } from '../store/event-store.ts';
import { setSessionCookie } from './auth.ts';
import { abortSignalOf, searchWithContext } from './event-search.ts';
import { buildHealthView } from './health-view.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { SinkHealthSource } from './sink-health.ts';
import { alertQueryOf, cleanParams, eventQueryOf } from './query-params.ts';
import { queryErrorOf, sendHtml } from './respond.ts';
import { safeNext, SESSION_COOKIE, tokenMatches } from './session.ts';
import { alertPage } from './views/alert-page.ts';
import { alertsPage } from './views/alerts-page.ts';
import { eventPage } from './views/event-page.ts';
import { eventsPage } from './views/events-page.ts';
import { healthPage } from './views/health-page.ts';
import { notFoundPage } from './views/layout.ts';
import { loginPage } from './views/login-page.ts';

const DEFAULT_RANGE = '24h';

export interface PageDeps {
  store: EventStore;
  health: HealthSource;
  sinks?: SinkHealthSource;
  token: Secret;
  throttle: LoginThrottle;
  now: () => number;
}

function tenantNames(store: EventStore): string[] {
  return [...new Set(store.streamStats().map((s) => s.tenantName))].sort();
}

export function registerPageRoutes(app: FastifyInstance, deps: PageDeps): void {
  const { store, health, sinks, token, throttle, now } = deps;

  app.get('/', async (_request, reply) => reply.redirect('/events', 303));

  app.get('/events', async (request, reply) => {
    const given = cleanParams(request.query);
    // The landing page shows the last day; any explicit search decides its own range ("All time" sends range=all).
    const params = Object.keys(given).length === 0 ? { range: DEFAULT_RANGE } : given;
    try {
      const result = await searchWithContext(store, eventQueryOf(params, now()), now(), abortSignalOf(reply));
      return sendHtml(reply, eventsPage({ params, tenants: tenantNames(store), ...result }));
    } catch (err) {
      const bad = queryErrorOf(err);
      if (!bad) throw err;
      return sendHtml(reply, eventsPage({ params, facets: [], tenants: tenantNames(store), error: bad.message }), 400);
    }
  });

  app.get<{ Params: { id: string } }>('/events/:id', async (request, reply) => {
    const event = store.getEvent(request.params.id);
    return event
      ? sendHtml(reply, eventPage(event))
      : sendHtml(reply, notFoundPage(`No event with id ${request.params.id} (it may have expired).`), 404);
  });

  app.get('/alerts', async (request, reply) => {
    const params = cleanParams(request.query);
    try {
      return sendHtml(reply, alertsPage({ params, page: store.listAlerts(alertQueryOf(params, now())) }));
    } catch (err) {
      const bad = queryErrorOf(err);
      if (!bad) throw err;
      return sendHtml(reply, alertsPage({ params, error: bad.message }), 400);
    }
  });

  app.get<{ Params: { id: string } }>('/alerts/:id', async (request, reply) => {
    const alert = store.getAlert(request.params.id);
    return alert
      ? sendHtml(reply, alertPage(alert))
      : sendHtml(reply, notFoundPage(`No alert with id ${request.params.id} (it may have expired).`), 404);
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
    if (throttle.blocked(request.ip, now())) {
      return sendHtml(reply, loginPage(next, 'Too many failed attempts: wait a minute and try again.'), 429);
    }
    if (typeof body.token === 'string' && tokenMatches(token, body.token.trim())) {
      throttle.succeed(request.ip);
      setSessionCookie(request, reply, token);
      return reply.redirect(next, 303);
    }
    throttle.fail(request.ip, now());
    return sendHtml(reply, loginPage(next, 'That token is not valid.'), 401);
  });

  app.post('/logout', async (_request, reply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
