import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { HealthSource } from '../core/health.ts';
import type { Logger } from '../observability/logger.ts';
import type { AnalystStore } from '../store/analyst/analyst-store.ts';
import type { EventStore } from '../store/event-store.ts';
import { registerAlertRoutes } from './alerts-routes.ts';
import { registerApiRoutes } from './api-routes.ts';
import { type AuthOptions, pathOf, requireAuth } from './auth.ts';
import { resolveAuthToken } from './auth-token.ts';
import type { WebConfig } from './config.ts';
import { WebServerError } from './errors.ts';
import { buildHealthView, healthSummary } from './health-view.ts';
import { LoginThrottle } from './login-throttle.ts';
import { registerEventTail } from './event-tail.ts';
import { registerPageRoutes } from './page-routes.ts';
import { registerSavedSearchRoutes } from './saved-search-routes.ts';
import type { SinkHealthSource } from './sink-health.ts';
import { queryErrorOf, sendHtml } from './respond.ts';
import { SessionStore } from './session.ts';
import { addSecurityHeaders } from './security-headers.ts';
import { registerStaticAssets } from './static-assets.ts';
import { isLoopback, tlsOptionsOf } from './tls-options.ts';
import { notFoundPage } from './views/layout.ts';

export interface WebServerOptions {
  config: WebConfig;
  store: EventStore;
  /** Alert triage, saved searches and their audit log (see openAnalystStore). */
  analyst: AnalystStore;
  health: HealthSource;
  /** How often a live tail asks the store for new events (default 2 s). */
  tailPollMs?: number;
  /** The outputs' health (see buildSinkHealth), shown on the Health page, /api/health and /healthz. */
  sinks?: SinkHealthSource;
  logger: Logger;
  metricsRegistry: Registry;
  /** Where a generated token is persisted (`<dataDir>/web-token`); default `./data`. */
  dataDir?: string;
  /** Clock, for tests. */
  now?: () => number;
}

export interface WebServer {
  /** Starts listening; resolves with the base URL (e.g. `http://127.0.0.1:8765/`). */
  listen(): Promise<string>;
  close(): Promise<void>;
  /** The UI/API token. Print it only when `tokenGenerated` (first start); never log it otherwise. */
  token: string;
  tokenGenerated: boolean;
  /** The file a generated token is kept in. */
  tokenFile?: string;
}

function urlOf(address: AddressInfo, https: boolean): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${https ? 'https' : 'http'}://${host}:${address.port}/`;
}

export function createWebServer(options: WebServerOptions): WebServer {
  const { config, store, analyst, health, sinks, logger, metricsRegistry } = options;
  const now = options.now ?? Date.now;
  const resolved = resolveAuthToken(config.auth_token, options.dataDir ?? './data');
  const tls = tlsOptionsOf(config);
  const auth: AuthOptions = {
    token: resolved.token,
    sessions: new SessionStore(config.session_ttl),
    throttle: new LoginThrottle(),
    logger,
    now,
    metricsAuth: config.metrics_auth,
  };
  // The routes do not depend on the server flavour; one instance type keeps them shared between HTTP and HTTPS.
  // trustProxy: request.ip is then the client named by X-Forwarded-For (throttling, audit log).
  const base = { logger: false, bodyLimit: 16 * 1024, trustProxy: config.trust_proxy } as const;
  const app = (tls ? Fastify({ ...base, https: tls }) : Fastify(base)) as unknown as FastifyInstance;

  app.register(fastifyCookie);
  app.register(fastifyFormbody);
  addSecurityHeaders(app, { https: Boolean(tls) });
  app.after(() => {
    requireAuth(app, auth);
    registerStaticAssets(app);
    registerPageRoutes(app, { store, analyst, health, ...(sinks ? { sinks } : {}), token: resolved.token, auth, now });
    registerAlertRoutes(app, { store, analyst, token: resolved.token, now });
    registerSavedSearchRoutes(app, { analyst, token: resolved.token, now });
    registerEventTail(app, { store, now, ...(options.tailPollMs ? { pollMs: options.tailPollMs } : {}) });
    registerApiRoutes(app, { store, health, ...(sinks ? { sinks } : {}), now });

    app.get('/healthz', async (_request, reply) => {
      const view = await buildHealthView(health, store, now(), sinks);
      const summary = healthSummary(view);
      return reply.code(summary.ok ? 200 : 503).send({
        ok: summary.ok,
        status: summary.status,
        ...(view.sourceError ? { error: view.sourceError } : {}),
        streams: summary.counts,
        details: view.rows.map((r) => ({
          tenant: r.tenantName,
          contentType: r.contentType,
          status: r.status,
          ...(r.lastError ? { error: r.lastError.code } : {}),
        })),
        ...(view.sinks
          ? {
              sinks: summary.sinkCounts,
              outputs: view.sinks.map((s) => ({
                ...(s.worker ? { worker: s.worker } : {}),
                name: s.name,
                status: s.status,
                ...(s.reason ? { reason: s.reason } : {}),
                ...(s.backlogBytes !== undefined ? { backlogBytes: s.backlogBytes } : {}),
              })),
            }
          : {}),
        ...(view.sinkError ? { sinkError: view.sinkError } : {}),
      });
    });

    app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());
    app.get('/metrics', async (_request, reply) => reply.type(metricsRegistry.contentType).send(await metricsRegistry.metrics()));
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (pathOf(request.url).startsWith('/api/'))
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
    return sendHtml(reply, notFoundPage('This page does not exist.'), 404);
  });

  app.setErrorHandler(async (err, request, reply) => {
    const bad = queryErrorOf(err);
    if (bad) return reply.code(400).send({ error: bad });
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ error: { code: 'BAD_REQUEST', message: (err as Error).message } });
    }
    logger.error({ err, route: pathOf(request.url), method: request.method }, 'web request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error, see the server log' } });
  });

  return {
    token: resolved.token.reveal(),
    tokenGenerated: resolved.generated,
    ...(resolved.file ? { tokenFile: resolved.file } : {}),
    async listen() {
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (err) {
        throw new WebServerError(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`, { cause: err });
      }
      const address = app.server.address();
      if (!address || typeof address === 'string') throw new WebServerError('the web server has no TCP address');
      const url = urlOf(address, Boolean(tls));
      logger.info({ url }, 'web UI listening');
      if (!tls && !isLoopback(config.host)) {
        logger.warn(
          { host: config.host },
          'the web UI is reachable from the network over plain HTTP: set web.tls or put it behind a TLS reverse proxy',
        );
      }
      return url;
    },
    async close() {
      await app.close();
    },
  };
}
