import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request, type Dispatcher } from 'undici';

/** MSAL's HTTP calls over undici, so the token endpoint honours the same CA and timeouts as the API calls. */
export class MsalNetworkClient implements INetworkModule {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs: number,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options);
  }

  async #send<T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const response = await request(url, {
      method,
      dispatcher: this.dispatcher,
      headers: options?.headers ?? {},
      body: options?.body ?? null,
      headersTimeout: timeout ?? this.timeoutMs,
      bodyTimeout: timeout ?? this.timeoutMs,
    });
    const text = await response.body.text();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = {
        error: 'invalid_response',
        error_description: `token endpoint answered HTTP ${response.statusCode} with a non-JSON body`,
      };
    }
    return { headers, body: body as T, status: response.statusCode };
  }
}
