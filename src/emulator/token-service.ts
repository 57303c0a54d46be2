import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { aadsts, type AadstsError } from './aadsts-error.ts';
import { decodeJwt, signJwt, verifyJwtSignature } from './jwt.ts';
import type { RegisteredApp, RegisteredTenant, TenantRegistry } from './tenant-registry.ts';

/** API hosts per cloud, accepted as `resource` / scope prefix (the emulator's own URL is accepted too). */
export const KNOWN_RESOURCES = [
  'https://manage.office.com',
  'https://manage-gcc.office.com',
  'https://manage.office365.us',
  'https://manage.protection.apps.mil',
  'https://manage.office.cn',
];

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const TOKEN_LIFETIME_S = 3599;
const CLOCK_SKEW_S = 300;

export interface TokenSigner {
  privateKeyPem: string;
  publicKey: KeyObject;
  /** base64url SHA-1 thumbprint of the signing certificate (token header x5t/kid). */
  x5t: string;
}

export type TokenResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: AadstsError };

export function normalizeResource(resource: string): string {
  return resource.replace(/\/+$/, '');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Issues app-only access tokens like Entra ID's v1 and v2 token endpoints. */
export class TokenService {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly signer: TokenSigner,
    private readonly baseUrl: () => string,
    private readonly now: () => number,
  ) {}

  acceptedResources(): string[] {
    return [...KNOWN_RESOURCES, normalizeResource(this.baseUrl())];
  }

  /** `version` is 1 for /oauth2/token, 2 for /oauth2/v2.0/token; `endpointUrl` is the URL that was called. */
  issue(tenantSegment: string, version: 1 | 2, form: URLSearchParams, endpointUrl: string): TokenResult {
    const tenant = this.registry.resolve(tenantSegment);
    if (!tenant) return { ok: false, error: aadsts.unknownTenant(tenantSegment) };
    const grantType = form.get('grant_type');
    if (!grantType) return { ok: false, error: aadsts.missingField('grant_type') };
    const clientId = form.get('client_id');
    if (!clientId) return { ok: false, error: aadsts.missingField('client_id') };
    if (grantType !== 'client_credentials') return { ok: false, error: aadsts.badGrantType(grantType) };

    const resource = this.#resource(version, form, tenant);
    if (typeof resource !== 'string') return { ok: false, error: resource };

    const app = tenant.apps.get(clientId.toLowerCase());
    if (!app) return { ok: false, error: aadsts.unknownClient(clientId, tenant.tenantId) };
    const credential = this.#authenticate(app, form, endpointUrl);
    if (typeof credential !== 'string') return { ok: false, error: credential };

    const nowS = Math.floor(this.now() / 1000);
    const accessToken = this.#accessToken(tenant, app, resource, credential === 'certificate' ? '2' : '1', nowS);
    if (version === 1) {
      return {
        ok: true,
        body: {
          token_type: 'Bearer',
          expires_in: String(TOKEN_LIFETIME_S),
          ext_expires_in: String(TOKEN_LIFETIME_S),
          expires_on: String(nowS + TOKEN_LIFETIME_S),
          not_before: String(nowS - CLOCK_SKEW_S),
          resource: form.get('resource'),
          access_token: accessToken,
        },
      };
    }
    return {
      ok: true,
      body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, ext_expires_in: TOKEN_LIFETIME_S, access_token: accessToken },
    };
  }

  #resource(version: 1 | 2, form: URLSearchParams, tenant: RegisteredTenant): string | AadstsError {
    let resource: string;
    if (version === 1) {
      const value = form.get('resource');
      if (!value) return aadsts.missingField('resource');
      resource = normalizeResource(value);
    } else {
      const scope = form.get('scope');
      if (!scope) return aadsts.missingField('scope');
      const main = scope.split(/\s+/).find((s) => s.endsWith('/.default'));
      if (!main) return aadsts.scopeWithoutDefault(scope);
      resource = normalizeResource(main.slice(0, -'/.default'.length));
    }
    if (!this.acceptedResources().includes(resource)) return aadsts.unknownResource(resource, tenant.tenantId);
    return resource;
  }

  #authenticate(app: RegisteredApp, form: URLSearchParams, endpointUrl: string): 'secret' | 'certificate' | AadstsError {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (!app.secret || !safeEqual(secret, app.secret)) return aadsts.badSecret(app.clientId);
      return 'secret';
    }
    if (assertion === null) return aadsts.noCredential();
    if (form.get('client_assertion_type') !== ASSERTION_TYPE)
      return aadsts.badAssertion(`client_assertion_type must be ${ASSERTION_TYPE}.`);
    const jwt = decodeJwt(assertion);
    if (!jwt) return aadsts.badAssertion('The client assertion is not a well-formed JWT.');
    const x5t = jwt.header.x5t;
    const x5tS256 = jwt.header['x5t#S256'];
    const certificate = app.certificates.find((c) => c.x5t === x5t || c.x5tS256 === x5tS256);
    if (!certificate)
      return aadsts.badAssertion(
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(x5t ?? x5tS256 ?? '')}']`,
      );
    if (!verifyJwtSignature(jwt, certificate.publicKey))
      return aadsts.badAssertion('The signature does not match the registered certificate.');
    const { aud, iss, sub, nbf, exp } = jwt.claims;
    if (aud !== endpointUrl)
      return aadsts.badAssertion(`The audience claim '${String(aud)}' must be the token endpoint '${endpointUrl}'.`);
    if (
      typeof iss !== 'string' ||
      typeof sub !== 'string' ||
      iss.toLowerCase() !== app.clientId ||
      sub.toLowerCase() !== app.clientId
    ) {
      return aadsts.badAssertion('The iss and sub claims must both be the client_id.');
    }
    const nowS = this.now() / 1000;
    if (typeof exp !== 'number' || exp <= nowS - CLOCK_SKEW_S) return aadsts.assertionTime();
    if (typeof nbf === 'number' && nbf > nowS + CLOCK_SKEW_S) return aadsts.assertionTime();
    return 'certificate';
  }

  #accessToken(tenant: RegisteredTenant, app: RegisteredApp, resource: string, appidacr: string, nowS: number): string {
    return signJwt(
      {
        aud: resource,
        iss: `https://sts.windows.net/${tenant.tenantId}/`,
        iat: nowS - CLOCK_SKEW_S,
        nbf: nowS - CLOCK_SKEW_S,
        exp: nowS + TOKEN_LIFETIME_S,
        aio: Buffer.from(`${app.clientId}:${nowS}`).toString('base64'),
        appid: app.clientId,
        appidacr,
        idp: `https://sts.windows.net/${tenant.tenantId}/`,
        oid: app.servicePrincipalId,
        rh: '0.AAAA.',
        roles: app.roles,
        sub: app.servicePrincipalId,
        tid: tenant.tenantId,
        uti: Buffer.from(`${nowS}${Math.random()}`).toString('base64url').slice(0, 22),
        ver: '1.0',
      },
      this.signer.privateKeyPem,
      { x5t: this.signer.x5t, kid: this.signer.x5t },
    );
  }

  /** Validates a bearer token for the Activity API; returns its claims or why it was refused. */
  validate(token: string): { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string } {
    const jwt = decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'The access token is not a JWT.' };
    if (jwt.header.alg !== 'RS256' || !verifyJwtSignature(jwt, this.signer.publicKey))
      return { ok: false, reason: 'The access token signature is invalid.' };
    const nowS = this.now() / 1000;
    const { exp, nbf, aud } = jwt.claims;
    if (typeof exp !== 'number' || exp <= nowS) return { ok: false, reason: 'The access token has expired.' };
    if (typeof nbf === 'number' && nbf > nowS + CLOCK_SKEW_S) return { ok: false, reason: 'The access token is not yet valid.' };
    if (typeof aud !== 'string' || !this.acceptedResources().includes(normalizeResource(aud)))
      return { ok: false, reason: `The access token audience '${String(aud)}' is not valid for this API.` };
    return { ok: true, claims: jwt.claims };
  }
}
