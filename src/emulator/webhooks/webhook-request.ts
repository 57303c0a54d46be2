import { ApiError } from '../api-error.ts';

/** The `webhook` object of a `/subscriptions/start` body. */
export interface WebhookRequest {
  address: string;
  authId: string;
  /** Epoch ms; undefined = never. */
  expiration?: number;
}

const invalid = (message: string): ApiError => new ApiError(400, 'AF20001', message);

/** Parses a start body: empty or `{"webhook":{"address","authId"?,"expiration"?}}`; undefined when no webhook is asked for. */
export function parseWebhookRequest(text: string): WebhookRequest | undefined {
  if (!text) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null) throw invalid('The request body must be a JSON object.');
  const webhook = (body as Record<string, unknown>).webhook;
  if (webhook === undefined || webhook === null) return undefined;
  if (typeof webhook !== 'object') throw invalid('webhook must be an object.');
  const { address, authId, expiration } = webhook as Record<string, unknown>;
  if (typeof address !== 'string' || !address) throw invalid('webhook.address is required.');
  if (authId !== undefined && authId !== null && typeof authId !== 'string') throw invalid('webhook.authId must be a string.');
  let expiresAt: number | undefined;
  if (typeof expiration === 'string' && expiration !== '') {
    expiresAt = Date.parse(expiration);
    if (Number.isNaN(expiresAt)) throw invalid(`webhook.expiration is not a date: ${expiration}.`);
  } else if (expiration !== undefined && expiration !== null && expiration !== '') {
    throw invalid('webhook.expiration must be a date string.');
  }
  return {
    address,
    authId: typeof authId === 'string' ? authId : '',
    ...(expiresAt !== undefined ? { expiration: expiresAt } : {}),
  };
}
