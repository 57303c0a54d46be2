import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { AadstsError, aadsts } from './aadsts-error.ts';
import type { Chaos } from './chaos.ts';
import type { StatsCollector } from './emulator-stats.ts';
import { safeDecode, sendJson } from './http-response.ts';
import type { Rng } from './rng.ts';
import type { TenantRegistry } from './tenant-registry.ts';
import type { TokenService } from './token-service.ts';

export interface LoginDeps {
  registry: TenantRegistry;
  chaos: Chaos;
  tokens: TokenService;
  stats: StatsCollector;
  rng: Rng;
  now: () => number;
  baseUrl: () => string;
  signingKey: { publicKey: KeyObject; x5t: string; certificatePem: string };
}

const TOKEN_PATH = /^\/([^/]+)\/oauth2\/(v2\.0\/)?token$/;
const OPENID_PATH = /^\/([^/]+)\/(v2\.0\/)?\.well-known\/openid-configuration$/;
const KEYS_PATH = /^\/([^/]+)\/discovery\/(v2\.0\/)?keys$/;

/** True when the path belongs to the Entra ID (login) side of the emulator. */
export function isLoginPath(pathname: string): boolean {
  return (
    TOKEN_PATH.test(pathname) ||
    OPENID_PATH.test(pathname) ||
    KEYS_PATH.test(pathname) ||
    pathname === '/common/discovery/instance'
  );
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 256 * 1024) break;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function openIdConfiguration(base: string, tenantSegment: string, tenantId: string, v2: boolean): Record<string, unknown> {
  const root = `${base}/${tenantSegment}`;
  return {
    token_endpoint: v2 ? `${root}/oauth2/v2.0/token` : `${root}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: v2 ? `${root}/discovery/v2.0/keys` : `${root}/discovery/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: v2 ? `${base}/${tenantId}/v2.0` : `https://sts.windows.net/${tenantId}/`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${base}/oidc/userinfo`,
    authorization_endpoint: v2 ? `${root}/oauth2/v2.0/authorize` : `${root}/oauth2/authorize`,
    device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: v2 ? `${root}/oauth2/v2.0/logout` : `${root}/oauth2/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'roles'],
    kerberos_endpoint: `${root}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

/** The same error, its description echoing the credential that was sent (a badly behaved identity proxy). */
function echoingCredentials(error: AadstsError, form: URLSearchParams): AadstsError {
  const sent = ['client_secret', 'client_assertion']
    .filter((name) => form.has(name))
    .map((name) => `${name}=${form.get(name) ?? ''}`)
    .join('&');
  return new AadstsError(error.status, error.error, error.code, `${error.description} Request body: ${sent}`);
}

/** Token endpoints (v1/v2), OpenID metadata, instance discovery and signing keys. */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, url: URL, deps: LoginDeps): Promise<void> {
  const now = deps.now();
  const base = deps.baseUrl();
  const fault = deps.chaos.transientFault();
  if (fault) {
    deps.stats.request('login');
    deps.stats.injected(fault.kind);
    const error = aadsts.temporarilyUnavailable(fault.status);
    return sendJson(res, error.status, error.body(deps.rng, now), now);
  }
  const token = TOKEN_PATH.exec(url.pathname);
  if (token && req.method === 'POST') {
    deps.stats.request('token');
    const form = await readForm(req);
    const result = deps.tokens.issue(safeDecode(token[1] ?? ''), token[2] ? 2 : 1, form, `${base}${url.pathname}`);
    if (!result.ok) {
      const error = deps.chaos.options.echoCredentials ? echoingCredentials(result.error, form) : result.error;
      return sendJson(res, error.status, error.body(deps.rng, now), now);
    }
    deps.stats.tokensIssued++;
    return sendJson(res, 200, result.body, now);
  }
  const openid = OPENID_PATH.exec(url.pathname);
  if (openid && req.method === 'GET') {
    deps.stats.request('openid');
    const segment = safeDecode(openid[1] ?? '');
    const tenant = deps.registry.resolve(segment);
    if (!tenant) {
      const error = aadsts.unknownTenant(segment);
      return sendJson(res, error.status, error.body(deps.rng, now), now);
    }
    return sendJson(res, 200, openIdConfiguration(base, segment, tenant.tenantId, openid[2] !== undefined), now);
  }
  if (url.pathname === '/common/discovery/instance' && req.method === 'GET') {
    deps.stats.request('discovery');
    const host = new URL(base).host;
    return sendJson(
      res,
      200,
      {
        tenant_discovery_endpoint: `${base}/{tenantid}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
      },
      now,
    );
  }
  if (KEYS_PATH.test(url.pathname) && req.method === 'GET') {
    deps.stats.request('keys');
    const jwk = deps.signingKey.publicKey.export({ format: 'jwk' });
    const x5c = deps.signingKey.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    return sendJson(
      res,
      200,
      { keys: [{ kty: 'RSA', use: 'sig', kid: deps.signingKey.x5t, x5t: deps.signingKey.x5t, n: jwk.n, e: jwk.e, x5c: [x5c] }] },
      now,
    );
  }
  sendJson(
    res,
    405,
    { error: 'invalid_request', error_description: `Method ${req.method ?? ''} is not supported on ${url.pathname}.` },
    now,
  );
}
