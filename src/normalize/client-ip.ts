import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface ClientAddress {
  /** Normalized IP (IPv6 lowercased and compressed), absent when the value is not an IP. */
  ip?: string;
  port?: number;
  /** The address as given, when it is not an IP (a host name, "Unknown"…). */
  address?: string;
}

const BRACKETED = /^\[([^\]]+)\](?::(\d{1,5}))?$/;
const IPV4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/;
const MAPPED_V4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** Lowercases and compresses an IPv6 address ("FE80:0:0::1" → "fe80::1"); IPv4 is returned as is. */
export function normalizeIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  return port >= 0 && port <= 65535 ? port : undefined;
}

/**
 * Parses the ClientIP forms seen in audit records: "1.2.3.4", "1.2.3.4:8085", "[2001:db8::1]:443", "[::1]",
 * "::ffff:1.2.3.4" (IPv4-mapped → IPv4), bare IPv6. Empty, null and "<null>" give undefined.
 */
export function parseClientIp(value: unknown): ClientAddress | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || text.toLowerCase() === '<null>' || text === 'None') return undefined;
  // Cheapest test first: node's IPv6 check is a long regular expression, only worth running on text with a colon
  // that is neither bracketed nor IPv4:port.
  if (!text.includes(':')) return isIPv4(text) ? { ip: text } : { address: text };
  if (text.charCodeAt(0) === 91) {
    const bracketed = BRACKETED.exec(text);
    if (bracketed && isIP(bracketed[1] as string) !== 0) {
      const inner = bracketed[1] as string;
      const mapped = MAPPED_V4.exec(inner);
      return withPort(mapped ? (mapped[1] as string) : normalizeIp(inner), portOf(bracketed[2]));
    }
    return { address: text };
  }
  const v4 = IPV4_PORT.exec(text);
  if (v4) return isIPv4(v4[1] as string) ? withPort(v4[1] as string, portOf(v4[2])) : { address: text };
  if (isIPv6(text)) {
    const mapped = MAPPED_V4.exec(text);
    return { ip: mapped ? (mapped[1] as string) : normalizeIp(text) };
  }
  return { address: text };
}

function withPort(ip: string, port: number | undefined): ClientAddress {
  return port === undefined ? { ip } : { ip, port };
}
