import { ConfigError } from '../core/errors.ts';

const CREDENTIAL_KEYS = ['client_secret', 'certificate'] as const;

/**
 * `app:` gives one multi-tenant app registration (client_id and client_secret or certificate) to every tenant that
 * does not name its own, like Filebeat's `var.tenants`. Returns the document without `app`, tenants completed.
 */
export function applySharedApp(doc: unknown): unknown {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || !('app' in doc)) return doc;
  const { app, ...rest } = doc as Record<string, unknown>;
  if (!app || typeof app !== 'object' || Array.isArray(app)) throw new ConfigError('app', 'must be an object');
  const unknownKey = Object.keys(app).find((k) => k !== 'client_id' && !(CREDENTIAL_KEYS as readonly string[]).includes(k));
  if (unknownKey)
    throw new ConfigError(`app.${unknownKey}`, 'unknown key (app takes client_id and client_secret or certificate)');
  const shared = app as Record<string, unknown>;
  if (!Array.isArray(rest.tenants)) return rest;
  rest.tenants = rest.tenants.map((tenant: unknown) => {
    if (!tenant || typeof tenant !== 'object' || Array.isArray(tenant)) return tenant;
    const t = { ...(tenant as Record<string, unknown>) };
    if (t.client_id === undefined && shared.client_id !== undefined) t.client_id = shared.client_id;
    const hasOwnCredential = CREDENTIAL_KEYS.some((k) => t[k] !== undefined);
    if (!hasOwnCredential) for (const k of CREDENTIAL_KEYS) if (shared[k] !== undefined) t[k] = shared[k];
    return t;
  });
  return rest;
}
