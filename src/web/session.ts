import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../core/secret.ts';

export const SESSION_COOKIE = 'o365_intake_session';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares without leaking length or content through timing. */
export function constantTimeEqual(expected: string, candidate: string | undefined): boolean {
  if (!candidate) return false;
  return timingSafeEqual(digest(expected), digest(candidate));
}

export function tokenMatches(token: Secret, candidate: string | undefined): boolean {
  return constantTimeEqual(token.reveal(), candidate);
}

/** The session cookie value: derived from the token (so the cookie is not the token, and changing the token logs everyone out). */
export function sessionValue(token: Secret): string {
  return createHmac('sha256', token.reveal()).update('o365-intake web session v1').digest('base64url');
}

export function sessionMatches(token: Secret, candidate: string | undefined): boolean {
  return constantTimeEqual(sessionValue(token), candidate);
}

/** Bearer token from an Authorization header. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/** A local path to go back to after sign-in; anything else (other hosts, `//evil`) becomes `/events`. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/events';
}
