import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Secret } from '../core/secret.ts';
import { SESSION_COOKIE } from './session.ts';
import { constantTimeEqual } from './session.ts';

export const CSRF_COOKIE = 'o365_intake_csrf';
/** Form field and header that carry the token. */
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Cross-site request forgery defence for the state-changing routes of a signed-in browser:
 * the session cookie is SameSite=Strict, the request's Origin (when sent) must be this server, and the form or
 * header must carry the synchronizer token: an HMAC (keyed by the web token) of a random per-browser nonce kept
 * in an HttpOnly cookie. A page from another site can neither read the token nor compute it.
 * Bearer-token clients send no cookie, so a browser cannot be made to act as them: they need no CSRF token.
 */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply, secret: Secret): string {
  let nonce = request.cookies[CSRF_COOKIE];
  if (!nonce || !/^[\w-]{32,}$/.test(nonce)) {
    nonce = randomBytes(24).toString('base64url');
    reply.setCookie(CSRF_COOKIE, nonce, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
    // Later handlers of the same request see the new nonce too.
    request.cookies[CSRF_COOKIE] = nonce;
  }
  return tokenOf(secret, nonce);
}

function tokenOf(secret: Secret, nonce: string): string {
  return createHmac('sha256', secret.reveal()).update(`o365-intake csrf v1:${nonce}`).digest('base64url');
}

function submittedToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  const body = request.body as Record<string, unknown> | undefined;
  const field = body?.[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}

/** Why the request is refused, or undefined when it may go on. */
export function csrfRefusal(request: FastifyRequest, secret: Secret): string | undefined {
  if (!request.cookies[SESSION_COOKIE]) return undefined; // bearer-token client (the auth hook let it in)
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  // The pages send Referrer-Policy: no-referrer, so a browser posts their forms with `Origin: null`;
  // then Fetch Metadata must say the request came from this site.
  if (origin === 'null') {
    if (site !== 'same-origin') return 'a request with an opaque origin must come from this site (Sec-Fetch-Site)';
  } else if (origin !== undefined && origin !== `${request.protocol}://${request.headers.host}`)
    return `cross-origin request refused (Origin ${origin})`;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request refused (${site})`;
  const nonce = request.cookies[CSRF_COOKIE];
  const token = submittedToken(request);
  if (!nonce || !token) return 'the form is missing its CSRF token: reload the page and try again';
  if (!constantTimeEqual(tokenOf(secret, nonce), token)) return 'the CSRF token does not match: reload the page and try again';
  return undefined;
}

/** A preHandler that answers 403 to a forged request. */
export function requireCsrf(secret: Secret) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const refusal = csrfRefusal(request, secret);
    if (refusal) return reply.code(403).send({ error: { code: 'CSRF_REFUSED', message: refusal } });
  };
}
