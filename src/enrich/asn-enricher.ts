import type { EcsDocument } from '../core/processed-event.ts';
import { type AsnDatabase, type AsnFields, openAsnDatabase } from './asn-database.ts';
import { cachedIpLookup, DEFAULT_IP_FIELDS, eachIpField } from './ip-lookup.ts';

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

/**
 * ASN enrichment, a pipeline step after normalize() beside GeoIP: the document is enriched in place, an existing
 * `as` object is kept. The data is loaded here (a few hundred milliseconds, once per process and folder). Throws
 * AsnDatabaseError only here, when `databaseFolder` cannot be read.
 */
export function createAsnEnricher(options: AsnEnricherOptions = {}): AsnEnricher {
  const database: AsnDatabase = openAsnDatabase(options.databaseFolder);
  const fields = options.fields ?? DEFAULT_IP_FIELDS;
  const { lookup } = cachedIpLookup((address) => database.lookup(address), options.cacheSize ?? 10_000);

  function enrich(ecs: EcsDocument): void {
    eachIpField(ecs, fields, lookup, (node, as) => {
      if (node.as !== undefined) return;
      node.as = as.organization ? { number: as.number, organization: { name: as.organization.name } } : { number: as.number };
    });
  }

  return { enrich, lookup };
}
