import { IntakeError } from '../core/errors.ts';

/**
 * How the collector reacts to a failed call:
 * throttled/transient → retry with backoff; window → re-plan the window; subscription → start it (cooldown);
 * gone → the blob is lost (counted, reported); auth → tenant-level error, long backoff; fatal → stop this item, report.
 */
export type ApiErrorKind = 'throttled' | 'transient' | 'window' | 'subscription' | 'gone' | 'auth' | 'fatal';

export interface ApiErrorDetails {
  kind: ApiErrorKind;
  status?: number;
  /** The API's `AFxxxxx` code (or AADSTS error for token failures). */
  afCode?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

/** A Management Activity API (or token endpoint) call failed. `code` is the AF code when the API sent one. */
export class ApiError extends IntakeError {
  readonly kind: ApiErrorKind;
  readonly status: number | undefined;
  readonly afCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: ApiErrorDetails) {
    super(details.afCode ?? (details.status ? `HTTP_${details.status}` : `API_${details.kind.toUpperCase()}`), message, {
      cause: details.cause,
    });
    this.kind = details.kind;
    this.status = details.status;
    this.afCode = details.afCode;
    this.retryAfterMs = details.retryAfterMs;
  }
}

const TRANSIENT_CODES = new Set(['AF50000', 'AF50005', 'AF50006']);
const WINDOW_CODES = new Set(['AF20030', 'AF20055']);
const SUBSCRIPTION_CODES = new Set(['AF20022', 'AF20023']);
const GONE_CODES = new Set(['AF20050', 'AF20051']);
const AUTH_CODES = new Set(['AF10001', 'AF20010', 'AF20011', 'AF20012', 'AF20013']);

/** Classifies an HTTP error response from its status and AF code. */
export function classifyApiError(status: number, afCode: string | undefined): ApiErrorKind {
  if (afCode === 'AF429' || status === 429) return 'throttled';
  if (afCode && TRANSIENT_CODES.has(afCode)) return 'transient';
  if (afCode && WINDOW_CODES.has(afCode)) return 'window';
  if (afCode && SUBSCRIPTION_CODES.has(afCode)) return 'subscription';
  if (afCode && GONE_CODES.has(afCode)) return 'gone';
  if (afCode && AUTH_CODES.has(afCode)) return 'auth';
  if (status === 401) return 'auth';
  if (status === 408 || status >= 500) return 'transient';
  if (status === 404 || status === 410) return 'gone';
  return 'fatal';
}

/** True when retrying the same request later can succeed. */
export function isRetryable(kind: ApiErrorKind): boolean {
  return kind === 'throttled' || kind === 'transient';
}
