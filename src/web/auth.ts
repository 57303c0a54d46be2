import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../core/secret.ts';
import type { Logger } from '../observability/logger.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { bearerOf, SESSION_COOKIE, type SessionStore, tokenMatches } from './session.ts';

export interface AuthOptions {
  token: Secret;
  sessions: SessionStore;
  throttle: LoginThrottle;
  logger: Logger;
  now: () => number;
  /** /metrics needs the token too. */
  metricsAuth: boolean;
}

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Starts a server-side session for this browser (the cookie holds only its random id). */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, sessions: SessionStore, now: number): void {
  reply.setCookie(SESSION_COOKIE, sessions.create(now), {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
  });
}

/** The URL without its `token` parameter. */
function withoutToken(url: string): string {
  const parsed = new URL(url, 'http://local');
  parsed.searchParams.delete('token');
  return parsed.pathname + parsed.search;
}

/** Logs a failed sign-in with the client address and the way it was tried (never what was offered). */
export function signInFailed(options: AuthOptions, request: FastifyRequest, via: 'bearer' | 'link' | 'form'): void {
  options.throttle.fail(request.ip, options.now());
  options.logger.warn({ client: request.ip, via, path: pathOf(request.url) }, 'failed sign-in to the web page or API');
}

/**
 * Every route except /healthz, /login and /static/ (and /metrics unless `metricsAuth`) needs the token:
 * `Authorization: Bearer <token>` (API), or a session cookie set by the login form or by `?token=` (browser).
 */
export function requireAuth(app: FastifyInstance, options: AuthOptions): void {
  const { token, sessions, throttle, now } = options;
  const publicPaths = new Set(['/healthz', '/login', '/favicon.ico', ...(options.metricsAuth ? [] : ['/metrics'])]);
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (publicPaths.has(path) || path.startsWith('/static/')) return;
    if (sessions.valid(request.cookies[SESSION_COOKIE], now())) return;

    const bearer = bearerOf(request.headers.authorization);
    const queryToken = new URL(request.url, 'http://local').searchParams.get('token') ?? undefined;
    const offered = bearer ?? queryToken;
    if (offered !== undefined && !throttle.admit(request.ip, now())) {
      return reply
        .code(429)
        .header('Retry-After', '1')
        .type('application/json')
        .send({ error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed sign-ins from this address, retry in a second' } });
    }
    if (bearer !== undefined) {
      if (tokenMatches(token, bearer)) {
        throttle.succeed(request.ip);
        return;
      }
      signInFailed(options, request, 'bearer');
    } else if (queryToken !== undefined && !path.startsWith('/api/')) {
      if (tokenMatches(token, queryToken)) {
        throttle.succeed(request.ip);
        setSessionCookie(request, reply, sessions, now());
        return reply.redirect(withoutToken(request.url), 303);
      }
      signInFailed(options, request, 'link');
    }

    // Machine endpoints answer 401; pages send the browser to the sign-in form.
    if (path.startsWith('/api/') || path === '/metrics') {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .type('application/json')
        .send({ error: { code: 'UNAUTHORIZED', message: 'send Authorization: Bearer <token> (web.auth_token)' } });
    }
    return reply.redirect(
      `/login?next=${encodeURIComponent(withoutToken(request.url))}${offered !== undefined ? '&failed=1' : ''}`,
      303,
    );
  });
}
