import type { Rng } from '../rng.ts';

/**
 * Public IPv4 prefixes per country (large ISP ranges), used to vary ClientIP. Each prefix resolves wholly to its
 * country in the bundled GeoIP database (src/enrich), so the "two countries" detections only fire on purpose.
 */
const COUNTRY_PREFIXES: Record<string, readonly string[]> = {
  FR: ['90.0.', '82.64.', '176.134.', '91.170.'],
  US: ['73.0.', '73.162.', '98.207.', '24.5.'],
  DE: ['84.137.', '91.64.', '217.85.'],
  GB: ['2.96.', '86.150.', '92.40.'],
  RU: ['95.165.', '178.176.', '95.24.'],
  CN: ['117.136.', '123.120.', '36.110.'],
  NG: ['105.112.', '102.89.', '197.210.'],
  KP: ['175.45.176.'],
  IR: ['2.177.', '2.176.'],
  BR: ['177.72.', '189.6.'],
};

/** IPv6 prefixes of the same countries' ISPs (countries without one use IPv4 only). */
const COUNTRY_IPV6_PREFIXES: Record<string, string> = {
  FR: '2a01:cb00:',
  DE: '2003:e0:',
  GB: '2a00:23c0:',
  US: '2601:1c0:',
  RU: '2a02:6b8:',
  CN: '240e:3b0:',
  BR: '2804:14c:',
};

export const UNUSUAL_COUNTRIES = ['RU', 'CN', 'NG', 'KP', 'IR', 'BR'] as const;

export function ipFromCountry(rng: Rng, country: string): string {
  const prefixes = COUNTRY_PREFIXES[country] ?? COUNTRY_PREFIXES.US ?? ['73.0.'];
  const prefix = rng.pick(prefixes);
  const parts = prefix.split('.').filter(Boolean).length;
  const rest: number[] = [];
  for (let i = parts; i < 4; i++) rest.push(rng.int(1, 254));
  return prefix + rest.join('.');
}

function ipv6(rng: Rng, prefix: string): string {
  const groups = 8 - prefix.split(':').filter(Boolean).length;
  return `${prefix}${Array.from({ length: groups }, () => rng.hex(4)).join(':')}`.replace(/:0+([0-9a-f])/g, ':$1');
}

/** A ClientIP of `country` with the quirks seen in real data: plain, with port, bracketed IPv6 with port, IPv6. */
export function quirkyClientIp(rng: Rng, country: string): string {
  const ip = ipFromCountry(rng, country);
  const v6 = COUNTRY_IPV6_PREFIXES[country];
  const roll = rng.next();
  if (roll < 0.7 || (roll >= 0.85 && !v6)) return ip;
  if (roll < 0.85) return `${ip}:${rng.int(1024, 65535)}`;
  if (roll < 0.95) return `[${ipv6(rng, v6!)}]:${rng.int(1024, 65535)}`;
  return ipv6(rng, v6!);
}

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
] as const;

export const SUSPICIOUS_USER_AGENTS = [
  'python-requests/2.31.0',
  'Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)',
  'BAV2ROPC',
  'axios/1.6.8',
] as const;

/** OS / browser pair consistent with a user agent, for DeviceProperties. */
export function deviceFromUserAgent(userAgent: string): { os: string; browser: string } {
  if (userAgent.includes('iPhone')) return { os: 'Ios', browser: 'Safari' };
  if (userAgent.includes('Macintosh')) return { os: 'MacOs', browser: 'Safari' };
  if (userAgent.includes('Firefox')) return { os: 'Windows 10', browser: 'Firefox' };
  if (userAgent.includes('Edg/')) return { os: 'Windows 10', browser: 'Edge' };
  if (userAgent.includes('Chrome')) return { os: 'Windows 10', browser: 'Chrome' };
  return { os: 'Windows 10', browser: 'Other' };
}
