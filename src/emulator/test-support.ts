/** Shared fixtures for the emulator's own tests (real HTTPS calls against a started emulator). */
import { request, type Agent } from 'undici';
import { createTrustingDispatcher } from './trusting-client.ts';
import type { Emulator } from './types.ts';

export const TENANT_A = '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b';
export const TENANT_B = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
export const APP_A = '3c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
export const SECRET_A = 'emulator-secret-value~A1';

export interface HttpResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export class TestClient {
  readonly dispatcher: Agent;

  constructor(readonly emulator: Pick<Emulator, 'url' | 'caPem'>) {
    this.dispatcher = createTrustingDispatcher(emulator.caPem);
  }

  async call(method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, body?: string): Promise<HttpResult> {
    const res = await request(url, { method, dispatcher: this.dispatcher, headers, body });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers: flat, text, json };
  }

  postForm(path: string, form: Record<string, string>): Promise<HttpResult> {
    return this.call(
      'POST',
      `${this.emulator.url}${path}`,
      { 'content-type': 'application/x-www-form-urlencoded' },
      new URLSearchParams(form).toString(),
    );
  }

  /** A v2 access token with the client secret. */
  async token(tenant = TENANT_A, clientId = APP_A, secret = SECRET_A): Promise<string> {
    const res = await this.postForm(`/${tenant}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'https://manage.office.com/.default',
    });
    const token = (res.json as { access_token?: string } | undefined)?.access_token;
    if (res.status !== 200 || !token) throw new Error(`token request failed: ${res.status} ${res.text}`);
    return token;
  }

  api(tenant: string, path: string): string {
    return `${this.emulator.url}/api/v1.0/${tenant}/activity/feed/${path}`;
  }

  get(url: string, token: string, headers: Record<string, string> = {}): Promise<HttpResult> {
    return this.call('GET', url, { authorization: `Bearer ${token}`, ...headers });
  }

  post(url: string, token: string, body?: string): Promise<HttpResult> {
    return this.call(
      'POST',
      url,
      { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body,
    );
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** `{"error":{"code":…}}` of an API error response. */
export function errorCode(res: HttpResult): string | undefined {
  return (res.json as { error?: { code?: string } } | undefined)?.error?.code;
}

export function errorMessage(res: HttpResult): string {
  return (res.json as { error?: { message?: string } } | undefined)?.error?.message ?? '';
}

/** Mutable clock for tests that move time. */
export function testClock(start = Date.now()): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
