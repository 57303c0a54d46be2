import { BlockList, isIP } from 'node:net';

/** IPv4 ranges that never locate a real client: private, shared, loopback, link-local, documentation, multicast, reserved. */
const NOT_PUBLIC_V4 = (
  [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 3],
  ] as const
).map(([network, prefix]) => {
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return { network: ipv4Number(network), mask };
});

/** The same for IPv6 (net.BlockList: slower, but IPv6 ClientIPs are the minority). */
const NOT_PUBLIC_V6 = new BlockList();
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['3fff::', 20],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC_V6.addSubnet(network, prefix, 'ipv6');

/** A dotted-quad IPv4 address (already validated by net.isIP) as an unsigned 32-bit number. */
export function ipv4Number(ip: string): number {
  let n = 0;
  for (const part of ip.split('.')) n = n * 256 + Number(part);
  return n;
}

function isPublicV4(ip: string): boolean {
  const n = ipv4Number(ip);
  for (const range of NOT_PUBLIC_V4) if ((n & range.mask) >>> 0 === range.network) return false;
  return true;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The address to look up when `value` is a public IP address, else undefined. Leading and trailing spaces are
 * ignored; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is looked up as its IPv4 address; an IPv6 zone
 * (`fe80::1%eth0`) is never public.
 */
export function publicAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let ip = value.trim();
  const mapped = MAPPED_IPV4.exec(ip);
  if (mapped) ip = mapped[1] as string;
  const family = isIP(ip);
  if (family === 0) return undefined;
  if (family === 4) return isPublicV4(ip) ? ip : undefined;
  return NOT_PUBLIC_V6.check(ip, 'ipv6') ? undefined : ip;
}
