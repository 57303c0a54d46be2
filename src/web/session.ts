import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
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

/**
 * Browser sessions kept on the server: the cookie holds a random id (never the token nor anything derived from it),
 * a session ends `ttlMs` after sign-in or at once on sign-out, and a restart signs everyone out. Bounded: the least
 * recently used sessions beyond `max` are dropped.
 */
export class SessionStore {
  readonly #sessions: LRUCache<string, { expiresAt: number }>;
  readonly #ttlMs: number;

  constructor(ttlMs: number, max = 10_000) {
    this.#ttlMs = ttlMs;
    this.#sessions = new LRUCache({ max });
  }

  create(now: number): string {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { expiresAt: now + this.#ttlMs });
    return id;
  }

  valid(id: string | undefined, now: number): boolean {
    if (!id) return false;
    const session = this.#sessions.get(id);
    if (!session) return false;
    if (session.expiresAt <= now) {
      this.#sessions.delete(id);
      return false;
    }
    return true;
  }

  revoke(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }
}

/** Bearer token from an Authorization header. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

const LOCAL = 'http://o365-intake.invalid';

/**
 * A same-origin path to go back to after sign-in; anything else becomes `/events`: other hosts, `//evil`, `/\\evil`,
 * and paths with control characters or whitespace that a browser would strip into one of those (`/\t/evil.example`).
 */
export function safeNext(value: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (typeof value !== 'string' || !value.startsWith('/') || /[\u0000-\u0020\u007f\\]/.test(value)) return '/events';
  try {
    const url = new URL(value, LOCAL);
    return url.origin === LOCAL ? `${url.pathname}${url.search}${url.hash}` : '/events';
  } catch {
    return '/events';
  }
}
