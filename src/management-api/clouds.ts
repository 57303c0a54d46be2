import type { Cloud, TenantConfig } from '../collector/config.ts';

/** Token (login) host and Management Activity API host of each Microsoft cloud. */
export const CLOUD_ENDPOINTS: Readonly<Record<Cloud, { loginUrl: string; apiUrl: string }>> = {
  commercial: { loginUrl: 'https://login.microsoftonline.com', apiUrl: 'https://manage.office.com' },
  gcc: { loginUrl: 'https://login.microsoftonline.com', apiUrl: 'https://manage-gcc.office.com' },
  'gcc-high': { loginUrl: 'https://login.microsoftonline.us', apiUrl: 'https://manage.office365.us' },
  dod: { loginUrl: 'https://login.microsoftonline.us', apiUrl: 'https://manage.protection.apps.mil' },
};

export interface TenantEndpoints {
  /** Login base URL, without the tenant segment. */
  loginUrl: string;
  /** API base URL (scheme + host [+ port]); the bearer token is only ever sent to this origin. */
  apiUrl: string;
  /** OAuth scope: the API host + `/.default`. */
  scope: string;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** The endpoints of a tenant: its cloud's, with `login_url` / `api_url` overrides applied. */
export function endpointsFor(tenant: Pick<TenantConfig, 'cloud' | 'login_url' | 'api_url'>): TenantEndpoints {
  const cloud = CLOUD_ENDPOINTS[tenant.cloud];
  const loginUrl = trimSlash(tenant.login_url ?? cloud.loginUrl);
  const apiUrl = trimSlash(tenant.api_url ?? cloud.apiUrl);
  return { loginUrl, apiUrl, scope: `${new URL(apiUrl).origin}/.default` };
}
