import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../store/analyst/audit-log.ts';
import { SESSION_COOKIE } from './session.ts';

/** The name an analyst gave at sign-in (everyone shares the token, so it is self-declared; the audit also keeps the IP). */
export const ANALYST_COOKIE = 'o365_intake_analyst';
/** Bearer-token clients may name themselves with this header. */
export const ACTOR_HEADER = 'x-analyst';

export function cleanName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Printable, one line, bounded: the name is shown in pages and written to the audit log.
  const name = value
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim()
    .slice(0, 80);
  return name || undefined;
}

export function setAnalystCookie(request: FastifyRequest, reply: FastifyReply, name: string | undefined): void {
  if (!name) return void reply.clearCookie(ANALYST_COOKIE, { path: '/' });
  reply.setCookie(ANALYST_COOKIE, name, { httpOnly: true, sameSite: 'strict', path: '/', secure: request.protocol === 'https' });
}

export function actorOf(request: FastifyRequest): Actor {
  const name = request.cookies[SESSION_COOKIE]
    ? (cleanName(request.cookies[ANALYST_COOKIE]) ?? 'analyst')
    : (cleanName(request.headers[ACTOR_HEADER]) ?? 'api');
  return { name, ip: request.ip };
}
