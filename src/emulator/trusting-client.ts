import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Agent, request, type Dispatcher } from 'undici';

/** An undici dispatcher that trusts `caPem` (the emulator's certificate) for TLS, and nothing else changes. */
export function createTrustingDispatcher(caPem: string): Agent {
  return new Agent({ connect: { ca: caPem } });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function send<T>(
  dispatcher: Dispatcher,
  method: 'GET' | 'POST',
  url: string,
  options?: NetworkRequestOptions,
  timeoutMs = 30_000,
): Promise<NetworkResponse<T>> {
  const res = await request(url, {
    method,
    dispatcher,
    headers: options?.headers,
    body: options?.body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  let body: unknown = {};
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
  }
  return { status: res.statusCode, headers: flattenHeaders(res.headers), body: body as T };
}

/**
 * An MSAL network client (`system.networkClient`) that trusts the emulator's CA without touching
 * NODE_EXTRA_CA_CERTS or NODE_TLS_REJECT_UNAUTHORIZED.
 */
export function createMsalNetworkClient(caPem: string): INetworkModule {
  const dispatcher = createTrustingDispatcher(caPem);
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
      send<T>(dispatcher, 'GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) => send<T>(dispatcher, 'POST', url, options),
  };
}
