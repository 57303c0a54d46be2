import type { EcsDocument } from '../core/processed-event.ts';
import { LruCache } from '../normalize/lru-cache.ts';
import { type AsnDatabase, type AsnFields, openAsnDatabase } from './asn-database.ts';
import { publicAddress } from './public-ip.ts';

export interface AsnEnricherOptions {
  /** A folder with `asn-ipv4-num.csv` and `asn-ipv6-num.csv` to use instead of the bundled ip-location-db data. */
  databaseFolder?: string;
  /** Most IP addresses remembered (least recently used forgotten beyond). Default 10,000. */
  cacheSize?: number;
  /** The ECS objects whose `.ip` gets an `.as` sibling. Default source, client, destination, server. */
  fields?: readonly string[];
}

export interface AsnEnricher {
  /** Sets `<field>.as.number` / `as.organization.name` from `<field>.ip` when it is a public IP. Never throws. */
  enrich(ecs: EcsDocument): void;
  /** The autonomous system of one IP address (undefined for private, unknown or malformed addresses). */
  lookup(ip: unknown): AsnFields | undefined;
}

const DEFAULT_FIELDS = ['source', 'client', 'destination', 'server'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * ASN enrichment, a pipeline step after normalize() beside GeoIP: the document is enriched in place, an existing
 * `as` object is kept. The data is loaded here (a few hundred milliseconds, once per process and folder). Throws
 * AsnDatabaseError only here, when `databaseFolder` cannot be read.
 */
export function createAsnEnricher(options: AsnEnricherOptions = {}): AsnEnricher {
  const database: AsnDatabase = openAsnDatabase(options.databaseFolder);
  const cache = new LruCache<string, AsnFields | null>(options.cacheSize ?? 10_000);
  const fields = options.fields ?? DEFAULT_FIELDS;

  function lookup(ip: unknown): AsnFields | undefined {
    if (typeof ip !== 'string' || ip.length > 64) return undefined;
    let found = cache.get(ip);
    if (found === undefined) {
      const address = publicAddress(ip);
      try {
        found = address === undefined ? null : (database.lookup(address) ?? null);
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
      if (!isObject(node) || node.as !== undefined) continue;
      const as = lookup(node.ip);
      if (as === undefined) continue;
      node.as = as.organization ? { number: as.number, organization: { name: as.organization.name } } : { number: as.number };
    }
  }

  return { enrich, lookup };
}
