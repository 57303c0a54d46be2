import { parse as parseDomain } from 'tldts';
import { LruCache } from './lru-cache.ts';

/** The ECS url.* fields derived from one URL string. */
export interface UrlFields {
  original: string;
  full?: string;
  scheme?: string;
  domain?: string;
  port?: number;
  path?: string;
  query?: string;
  fragment?: string;
  registered_domain?: string;
  subdomain?: string;
  top_level_domain?: string;
}

interface DomainParts {
  registered_domain?: string;
  subdomain?: string;
  top_level_domain?: string;
}

// scheme://authority path ?query #fragment — or a scheme-relative //authority path…
const URL_SHAPE = /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ftp: 21, ws: 80, wss: 443 };

const domainCache = new LruCache<string, DomainParts>(10_000);

/** The longest DNS name (RFC 1035): longer hosts have no registered domain, and are not cached. */
const MAX_HOST_LENGTH = 253;

function domainParts(host: string): DomainParts {
  if (host.length > MAX_HOST_LENGTH) return {};
  let parts = domainCache.get(host);
  if (parts === undefined) {
    const parsed = parseDomain(host);
    parts = {};
    if (!parsed.isIp) {
      if (parsed.domain) parts.registered_domain = parsed.domain;
      if (parsed.subdomain) parts.subdomain = parsed.subdomain;
      if (parsed.publicSuffix) parts.top_level_domain = parsed.publicSuffix;
    }
    domainCache.set(host, parts);
  }
  return parts;
}

/**
 * Splits a URL into ECS url.* fields like the reference: `full`, `scheme` and `port` (explicit, or 443/80 by
 * default) only when there is a scheme; `path` only when non-empty; `query` without "?"; registered domain,
 * subdomain and top-level domain from the Public Suffix List (tldts, cached per host).
 * Returns only `original` for text that is not a URL.
 */
export function urlFields(original: string): UrlFields {
  const m = URL_SHAPE.exec(original);
  if (m === null) return { original };
  const [, scheme, authority = '', path, query, fragment] = m;
  const fields: UrlFields = { original };
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  let host = hostPort;
  let port: number | undefined;
  const ipv6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(hostPort);
  if (ipv6) {
    host = ipv6[1] as string;
    if (ipv6[2] !== undefined) port = Number(ipv6[2]);
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon >= 0 && /^\d+$/.test(hostPort.slice(colon + 1))) {
      port = Number(hostPort.slice(colon + 1));
      host = hostPort.slice(0, colon);
    }
  }
  if (scheme !== undefined) {
    const lower = scheme.toLowerCase();
    fields.full = original;
    fields.scheme = lower;
    if (Object.hasOwn(DEFAULT_PORTS, lower)) port ??= DEFAULT_PORTS[lower];
  }
  if (host !== '') {
    fields.domain = host;
    Object.assign(fields, domainParts(host));
  }
  if (port !== undefined && scheme !== undefined) fields.port = port;
  if (path) fields.path = path;
  if (query) fields.query = query;
  if (fragment) fields.fragment = fragment;
  return fields;
}
