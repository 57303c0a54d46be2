import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { IntakeError } from '../core/errors.ts';
import { createTenantContext, type TenantContext } from './records/index.ts';
import type { EmulatorAppSpec, EmulatorTenantSpec } from './types.ts';

export const DEFAULT_ROLES = ['ActivityFeed.Read', 'ActivityFeed.ReadDlp'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export interface RegisteredCertificate {
  /** base64url SHA-1 / SHA-256 thumbprints, as they appear in `x5t` / `x5t#S256`. */
  x5t: string;
  x5tS256: string;
  publicKey: KeyObject;
}

export interface RegisteredApp {
  clientId: string;
  secret?: string;
  certificates: RegisteredCertificate[];
  roles: string[];
  /** Object id of the app's service principal in the tenant (the token's oid/sub). */
  servicePrincipalId: string;
}

export interface RegisteredTenant {
  tenantId: string;
  domain: string;
  auditDisabled: boolean;
  apps: Map<string, RegisteredApp>;
  context: TenantContext;
}

export class EmulatorSetupError extends IntakeError {
  constructor(message: string) {
    super('EMULATOR_SETUP', message);
  }
}

function registerCertificate(pem: string, where: string): RegisteredCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (err) {
    throw new EmulatorSetupError(`${where}.certificatePem is not a PEM certificate: ${(err as Error).message}`);
  }
  return {
    x5t: createHash('sha1').update(x509.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(x509.raw).digest('base64url'),
    publicKey: x509.publicKey,
  };
}

function registerApp(spec: EmulatorAppSpec, where: string): RegisteredApp {
  if (!spec.clientSecret && !spec.certificatePem)
    throw new EmulatorSetupError(`${where} needs a clientSecret or a certificatePem`);
  return {
    clientId: spec.clientId.toLowerCase(),
    secret: spec.clientSecret,
    certificates: spec.certificatePem ? [registerCertificate(spec.certificatePem, where)] : [],
    roles: spec.roles ?? DEFAULT_ROLES,
    servicePrincipalId: createHash('sha256')
      .update(spec.clientId)
      .digest('hex')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5'),
  };
}

/** The tenants and app registrations the emulator knows, looked up by GUID or domain. */
export class TenantRegistry {
  readonly #byId = new Map<string, RegisteredTenant>();
  readonly #byDomain = new Map<string, RegisteredTenant>();

  constructor(specs: EmulatorTenantSpec[]) {
    specs.forEach((spec, i) => {
      const where = `tenants[${i}]`;
      if (!isGuid(spec.tenantId)) throw new EmulatorSetupError(`${where}.tenantId must be a GUID, got "${spec.tenantId}"`);
      const tenantId = spec.tenantId.toLowerCase();
      if (this.#byId.has(tenantId)) throw new EmulatorSetupError(`${where}.tenantId ${tenantId} is listed twice`);
      const context = createTenantContext(tenantId, { domain: spec.domain?.toLowerCase(), name: spec.name });
      const apps = new Map(spec.apps.map((app, j) => [app.clientId.toLowerCase(), registerApp(app, `${where}.apps[${j}]`)]));
      const tenant: RegisteredTenant = {
        tenantId,
        domain: context.domain,
        auditDisabled: spec.auditDisabled ?? false,
        apps,
        context,
      };
      this.#byId.set(tenantId, tenant);
      this.#byDomain.set(context.domain, tenant);
    });
  }

  /** Finds a tenant by GUID or verified domain, as accepted by the token endpoint. */
  resolve(tenantSegment: string): RegisteredTenant | undefined {
    const key = tenantSegment.toLowerCase();
    return this.#byId.get(key) ?? this.#byDomain.get(key);
  }

  get(tenantId: string): RegisteredTenant | undefined {
    return this.#byId.get(tenantId.toLowerCase());
  }

  /** Like get(), but throws a clear error for programmatic calls naming an unknown tenant. */
  require(tenantId: string): RegisteredTenant {
    const tenant = this.get(tenantId);
    if (!tenant) throw new EmulatorSetupError(`unknown tenant ${tenantId}; known: ${[...this.#byId.keys()].join(', ')}`);
    return tenant;
  }

  all(): RegisteredTenant[] {
    return [...this.#byId.values()];
  }
}
