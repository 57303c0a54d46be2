import type { EcsDocument } from '../core/processed-event.ts';
import { countryName } from './country-names.ts';
import { openCountryDatabase, type CountryDatabase } from './geo-database.ts';
import { cachedIpLookup, DEFAULT_IP_FIELDS, eachIpField, isObject } from './ip-lookup.ts';

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

/**
 * GeoIP enrichment, a pipeline step after normalize(): the document is enriched in place, existing `geo` values
 * are kept. Throws GeoDatabaseError only at creation, when `databasePath` cannot be read as an MMDB file.
 */
export function createGeoEnricher(options: GeoEnricherOptions = {}): GeoEnricher {
  const database: CountryDatabase = openCountryDatabase(options.databasePath);
  const fields = options.fields ?? DEFAULT_IP_FIELDS;
  const cache = cachedIpLookup((address): GeoFields | undefined => {
    const code = database.countryOf(address);
    if (code === undefined) return undefined;
    const name = countryName(code);
    return name === undefined ? { country_iso_code: code } : { country_iso_code: code, country_name: name };
  }, options.cacheSize ?? 10_000);
  const lookup = cache.lookup;

  function enrich(ecs: EcsDocument): void {
    eachIpField(ecs, fields, lookup, (node, geo) => {
      const existing = node.geo;
      if (existing === undefined) node.geo = { ...geo };
      else if (isObject(existing) && existing.country_iso_code === undefined) Object.assign(existing, geo);
    });
  }

  return {
    enrich,
    lookup,
    get cacheSize() {
      return cache.size;
    },
  };
}
