import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuthError, ConfidentialClientApplication, ServerError, type Configuration } from '@azure/msal-node';
import type { Dispatcher } from 'undici';
import type { TenantConfig } from '../collector/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { TenantEndpoints } from './clouds.ts';
import { ApiError } from './errors.ts';
import { MsalNetworkClient } from './msal-network-client.ts';

export interface TokenProvider {
  /** A valid bearer token (cached; renewed by MSAL 5 minutes before expiry). `refresh` bypasses the cache (after a 401). */
  getToken(refresh?: boolean): Promise<string>;
}

type TenantCredentials = Pick<TenantConfig, 'name' | 'tenant_id' | 'client_id' | 'client_secret' | 'certificate'>;

/** OAuth errors that no retry will fix: wrong secret, unknown app or tenant, missing consent. */
const CREDENTIAL_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_tenant',
  'invalid_request',
  'invalid_scope',
  'invalid_resource',
  'invalid_grant',
]);

/** The certificate setting holds PEM text, or a path (optionally `file:`-prefixed) to a PEM file. */
function readCertificatePem(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  const path = value.replace(/^file:/, '');
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      'certificate.certificate',
      `cannot read certificate file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function certificateCredential(
  certificate: NonNullable<TenantCredentials['certificate']>,
): NonNullable<NonNullable<Configuration['auth']['clientCertificate']>> {
  let cert: X509Certificate;
  let key: string;
  try {
    cert = new X509Certificate(readCertificatePem(certificate.certificate));
    key = createPrivateKey(certificate.private_key.reveal()).export({ type: 'pkcs8', format: 'pem' }).toString();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError('certificate', `not a usable PEM certificate and private key (${(err as Error).message})`);
  }
  // SHA-256 thumbprint: MSAL then sends x5t#S256 in the client assertion.
  return { thumbprintSha256: cert.fingerprint256.replaceAll(':', ''), privateKey: key };
}

/** Metadata MSAL would otherwise discover over the network, derived from the login URL (works for private endpoints too). */
function authorityMetadata(
  loginUrl: string,
  tenantId: string,
): Pick<Configuration['auth'], 'authorityMetadata' | 'cloudDiscoveryMetadata' | 'knownAuthorities'> {
  const base = `${loginUrl}/${tenantId}`;
  const host = new URL(loginUrl).host;
  return {
    knownAuthorities: [host],
    authorityMetadata: JSON.stringify({
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
    }),
    cloudDiscoveryMetadata: JSON.stringify({
      tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    }),
  };
}

/** `invalid_client: AADSTS7000215: Invalid client secret…` — without MSAL's timestamps or trace/correlation ids, so it is stable. */
function describeAuthError(err: AuthError): string {
  const text = err.errorMessage || err.message;
  const aadsts = /AADSTS\d+:[^\r\n]*?(?=\s*(?:Trace ID:|Correlation ID:|Timestamp:|$))/m.exec(text)?.[0];
  const description = (aadsts ?? text.split(/\r?\n/)[0] ?? '').trim();
  return `${err.errorCode}${description ? `: ${description}` : ''}`;
}

/** Client-credentials tokens from Entra ID via MSAL (secret or certificate), one per tenant. */
export class MsalTokenProvider implements TokenProvider {
  readonly #app: ConfidentialClientApplication | undefined;
  /** A credential that cannot even be loaded (unreadable certificate): every call fails with it, other tenants go on. */
  readonly #setupError: ApiError | undefined;
  readonly #scope: string;
  readonly #tenantName: string;
  #inFlight: Promise<string> | undefined;

  constructor(tenant: TenantCredentials, endpoints: TenantEndpoints, dispatcher: Dispatcher, timeoutMs: number) {
    this.#scope = endpoints.scope;
    this.#tenantName = tenant.name;
    try {
      this.#app = new ConfidentialClientApplication({
        auth: {
          clientId: tenant.client_id,
          authority: `${endpoints.loginUrl}/${tenant.tenant_id}`,
          ...authorityMetadata(endpoints.loginUrl, tenant.tenant_id),
          ...(tenant.client_secret ? { clientSecret: tenant.client_secret.reveal() } : {}),
          ...(tenant.certificate ? { clientCertificate: certificateCredential(tenant.certificate) } : {}),
        },
        system: { networkClient: new MsalNetworkClient(dispatcher, timeoutMs), disableInternalRetries: true },
      });
    } catch (err) {
      this.#setupError = new ApiError(`credentials of tenant ${tenant.name} cannot be used: ${(err as Error).message}`, {
        kind: 'auth',
        afCode: 'BAD_CREDENTIAL_CONFIG',
        cause: err,
      });
    }
  }

  getToken(refresh = false): Promise<string> {
    if (this.#inFlight && !refresh) return this.#inFlight;
    const pending = this.#acquire(refresh).finally(() => {
      if (this.#inFlight === pending) this.#inFlight = undefined;
    });
    this.#inFlight = pending;
    return pending;
  }

  async #acquire(refresh: boolean): Promise<string> {
    if (!this.#app) throw this.#setupError;
    try {
      const result = await this.#app.acquireTokenByClientCredential({ scopes: [this.#scope], skipCache: refresh });
      if (!result?.accessToken)
        throw new ApiError(`token request for tenant ${this.#tenantName} returned no access token`, { kind: 'auth' });
      return result.accessToken;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof AuthError) {
        const credential = err instanceof ServerError && CREDENTIAL_ERRORS.has(err.errorCode);
        return Promise.reject(
          new ApiError(`cannot get a token for tenant ${this.#tenantName}: ${describeAuthError(err)}`, {
            kind: credential ? 'auth' : 'transient',
            afCode: err.errorCode,
          }),
        );
      }
      throw new ApiError(`cannot get a token for tenant ${this.#tenantName}: ${(err as Error).message}`, {
        kind: 'transient',
        cause: err,
      });
    }
  }
}
