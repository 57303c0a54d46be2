import { Rng, hashSeed } from '../rng.ts';

/** A synthetic user of a tenant, stable for a given tenant id. */
export interface SyntheticUser {
  upn: string;
  displayName: string;
  objectId: string;
  /** PUID-like key, e.g. 1003200096971F55. */
  puid: string;
  sid: string;
  mailboxGuid: string;
  /** Home country code used to pick the user's usual IP range. */
  country: string;
  isAdmin: boolean;
}

/** What record templates need to know about a tenant. */
export interface TenantContext {
  tenantId: string;
  /** Initial domain, e.g. contoso.onmicrosoft.com. */
  domain: string;
  /** SharePoint host prefix, e.g. contoso. */
  shortName: string;
  users: SyntheticUser[];
}

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yasmin',
];
const LAST = [
  'martin',
  'dubois',
  'smith',
  'garcia',
  'muller',
  'rossi',
  'kowalski',
  'tanaka',
  'silva',
  'nguyen',
  'jensen',
  'moreau',
];
const HOME_COUNTRIES = ['FR', 'FR', 'FR', 'US', 'DE', 'GB'];

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Builds a deterministic tenant profile (domain, users) from the tenant id. */
export function createTenantContext(
  tenantId: string,
  options: { domain?: string; name?: string; userCount?: number } = {},
): TenantContext {
  const rng = new Rng(hashSeed(tenantId));
  const shortName =
    (options.name ?? `tenant${tenantId.replace(/-/g, '').slice(0, 6)}`).toLowerCase().replace(/[^a-z0-9]/g, '') || 'tenant';
  const domain = options.domain ?? `${shortName}.onmicrosoft.com`;
  const count = options.userCount ?? 24;
  const users: SyntheticUser[] = [];
  const seen = new Set<string>();
  for (let i = 0; users.length < count && i < count * 10; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const local = `${first}.${last}`;
    if (seen.has(local)) continue;
    seen.add(local);
    users.push({
      upn: `${local}@${domain}`,
      displayName: `${capitalize(first)} ${capitalize(last)}`,
      objectId: rng.guid(),
      puid: `10032${rng.hex(11).toUpperCase()}`,
      sid: `S-1-5-21-${rng.int(1000000000, 4000000000)}-${rng.int(1000000000, 4000000000)}-${rng.int(1000000000, 4000000000)}-${rng.int(1000, 99999)}`,
      mailboxGuid: rng.guid(),
      country: rng.pick(HOME_COUNTRIES),
      isAdmin: users.length < 2,
    });
  }
  return { tenantId, domain, shortName, users };
}
