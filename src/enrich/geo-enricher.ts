import type { EcsDocument } from '../core/processed-event.ts';
import { LruCache } from '../normalize/lru-cache.ts';
import { countryName } from './country-names.ts';
import { openCountryDatabase, type CountryDatabase } from './geo-database.ts';
import { publicAddress } from './public-ip.ts';

/** The ECS `geo` fields set from an IP address. */
export interface GeoFields {
  country_iso_code: string;
  country_name?: string;
}

export interface GeoEnricherOptions {
  /** An MMDB country database to use instead of the bundled one (ip-location-db or MaxMind GeoLite2-Country layout). */
  databasePath?: string;
  /** Most IP addresses remembered (least recently used forgotten beyond). Default 10,000. */
  cacheSize?: number;
  /** The ECS objects whose `.ip` gets a `.geo` sibling. Default source, client, destination, server. */
  fields?: readonly string[];
}

export interface GeoEnricher {
  /** Sets `<field>.geo.country_iso_code` / `country_name` from `<field>.ip` when it is a public IP. Never throws. */
  enrich(ecs: EcsDocument): void;
  /** Country fields of one IP address (undefined for private, documentation, unknown or malformed addresses). */
  lookup(ip: unknown): GeoFields | undefined;
  readonly cacheSize: number;
}

const DEFAULT_FIELDS = ['source', 'client', 'destination', 'server'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * GeoIP enrichment, a pipeline step after normalize(): the document is enriched in place, existing `geo` values
 * are kept. Throws GeoDatabaseError only at creation, when `databasePath` cannot be read as an MMDB file.
 */
export function createGeoEnricher(options: GeoEnricherOptions = {}): GeoEnricher {
  const database: CountryDatabase = openCountryDatabase(options.databasePath);
  const cache = new LruCache<string, GeoFields | null>(options.cacheSize ?? 10_000);
  const fields = options.fields ?? DEFAULT_FIELDS;

  function resolve(ip: string): GeoFields | null {
    const address = publicAddress(ip);
    if (address === undefined) return null;
    const code = database.countryOf(address);
    if (code === undefined) return null;
    const name = countryName(code);
    return name === undefined ? { country_iso_code: code } : { country_iso_code: code, country_name: name };
  }

  function lookup(ip: unknown): GeoFields | undefined {
    if (typeof ip !== 'string' || ip.length > 64) return undefined;
    let found = cache.get(ip);
    if (found === undefined) {
      try {
        found = resolve(ip);
      } catch {
        found = null;
      }
      cache.set(ip, found);
    }
    return found ?? undefined;
  }

  function enrich(ecs: EcsDocument): void {
    if (!isObject(ecs)) return;
    for (const field of fields) {
      const node = ecs[field];
      if (!isObject(node)) continue;
      const geo = lookup(node.ip);
      if (geo === undefined) continue;
      const existing = node.geo;
      if (existing === undefined) node.geo = { ...geo };
      else if (isObject(existing) && existing.country_iso_code === undefined) Object.assign(existing, geo);
    }
  }

  return {
    enrich,
    lookup,
    get cacheSize() {
      return cache.size;
    },
  };
}
