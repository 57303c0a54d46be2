import type { EcsDocument } from '../core/processed-event.ts';
import { LruCache } from '../normalize/lru-cache.ts';
import { publicAddress } from './public-ip.ts';

/** The ECS objects whose `.ip` an enrichment step reads by default. */
export const DEFAULT_IP_FIELDS = ['source', 'client', 'destination', 'server'] as const;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `resolve` behind an LRU cache of `cacheSize` addresses (misses remembered too), called only for public addresses
 * (`publicAddress`); a non-string, an over-long string, a private address or a throwing `resolve` gives undefined.
 */
export function cachedIpLookup<T>(
  resolve: (publicIp: string) => T | undefined,
  cacheSize: number,
): { lookup: (ip: unknown) => T | undefined; readonly size: number } {
  const cache = new LruCache<string, T | null>(cacheSize);
  return {
    lookup(ip) {
      if (typeof ip !== 'string' || ip.length > 64) return undefined;
      let found = cache.get(ip);
      if (found === undefined) {
        const address = publicAddress(ip);
        try {
          found = address === undefined ? null : (resolve(address) ?? null);
        } catch {
          found = null;
        }
        cache.set(ip, found);
      }
      return found ?? undefined;
    },
    get size() {
      return cache.size;
    },
  };
}

/** Calls `apply(node, found)` for each object of `fields` in `ecs` whose `.ip` `lookup` knows. */
export function eachIpField<T>(
  ecs: EcsDocument,
  fields: readonly string[],
  lookup: (ip: unknown) => T | undefined,
  apply: (node: Record<string, unknown>, found: T) => void,
): void {
  if (!isObject(ecs)) return;
  for (const field of fields) {
    const node = ecs[field];
    if (!isObject(node)) continue;
    const found = lookup(node.ip);
    if (found !== undefined) apply(node, found);
  }
}
