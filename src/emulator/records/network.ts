import type { Rng } from '../rng.ts';

/** Public IPv4 prefixes per country (documentation and well-known ISP ranges), used to vary ClientIP. */
const COUNTRY_PREFIXES: Record<string, readonly string[]> = {
  FR: ['90.84.', '82.64.', '176.134.', '91.170.'],
  US: ['67.43.', '73.162.', '98.207.', '24.5.'],
  DE: ['84.137.', '91.64.', '217.85.'],
  GB: ['81.2.', '86.150.', '92.40.'],
  RU: ['95.165.', '178.176.', '85.26.'],
  CN: ['117.136.', '123.120.', '36.110.'],
  NG: ['105.112.', '41.190.', '197.210.'],
  KP: ['175.45.176.'],
  IR: ['5.160.', '2.176.'],
  BR: ['177.72.', '189.6.'],
};

export const UNUSUAL_COUNTRIES = ['RU', 'CN', 'NG', 'KP', 'IR', 'BR'] as const;

export function ipFromCountry(rng: Rng, country: string): string {
  const prefixes = COUNTRY_PREFIXES[country] ?? COUNTRY_PREFIXES.US ?? ['67.43.'];
  const prefix = rng.pick(prefixes);
  const parts = prefix.split('.').filter(Boolean).length;
  const rest: number[] = [];
  for (let i = parts; i < 4; i++) rest.push(rng.int(1, 254));
  return prefix + rest.join('.');
}

export function ipv6(rng: Rng): string {
  return `2a01:cb00:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}:${rng.hex(4)}`.replace(/:0+([0-9a-f])/g, ':$1');
}

/** ClientIP with the quirks seen in real data: plain, with port, bracketed IPv6 with port, IPv6. */
export function quirkyClientIp(rng: Rng, ip: string): string {
  const roll = rng.next();
  if (roll < 0.7) return ip;
  if (roll < 0.85) return `${ip}:${rng.int(1024, 65535)}`;
  if (roll < 0.95) return `[${ipv6(rng)}]:${rng.int(1024, 65535)}`;
  return ipv6(rng);
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
