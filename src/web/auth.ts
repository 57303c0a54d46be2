import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../core/secret.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { bearerOf, SESSION_COOKIE, sessionMatches, sessionValue, tokenMatches } from './session.ts';

const PUBLIC_PATHS = new Set(['/healthz', '/metrics', '/login', '/favicon.ico']);

export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: Secret): void {
  reply.setCookie(SESSION_COOKIE, sessionValue(token), {
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

/**
 * Every route except /healthz, /metrics, /login and /static/ needs the token:
 * `Authorization: Bearer <token>` (API), or the session cookie set by the login form or by `?token=` (browser).
 */
export function requireAuth(app: FastifyInstance, token: Secret, throttle: LoginThrottle, now: () => number): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request.url);
    if (PUBLIC_PATHS.has(path) || path.startsWith('/static/')) return;
    if (sessionMatches(token, request.cookies[SESSION_COOKIE])) return;

    const bearer = bearerOf(request.headers.authorization);
    const queryToken = new URL(request.url, 'http://local').searchParams.get('token') ?? undefined;
    const offered = bearer ?? queryToken;
    if (offered !== undefined && throttle.blocked(request.ip, now())) {
      return reply
        .code(429)
        .type('application/json')
        .send({ error: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed sign-ins, retry in a minute' } });
    }
    if (bearer !== undefined) {
      if (tokenMatches(token, bearer)) return;
      throttle.fail(request.ip, now());
    } else if (queryToken !== undefined && !path.startsWith('/api/')) {
      if (tokenMatches(token, queryToken)) {
        throttle.succeed(request.ip);
        setSessionCookie(request, reply, token);
        return reply.redirect(withoutToken(request.url), 303);
      }
      throttle.fail(request.ip, now());
    }

    if (path.startsWith('/api/')) {
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
