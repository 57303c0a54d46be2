import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'mmdb-lib';
import { GeoDatabaseError } from './errors.ts';

/** IP → ISO 3166-1 alpha-2 country code, from an offline MMDB file. */
export interface CountryDatabase {
  /** The country code of `ip` (a valid IPv4 or IPv6 address), or undefined when the database has none. */
  countryOf(ip: string): string | undefined;
}

/** The bundled database: GeoFeed + RIR whois + RIR ASN country data (CC BY 4.0 NRO), IPv4 and IPv6 in one file. */
export function bundledDatabasePath(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
}

/** `country_code` in ip-location-db files, `country.iso_code` in MaxMind ones. */
function codeOf(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { country_code: code, country } = entry as { country_code?: unknown; country?: { iso_code?: unknown } };
  return code ?? (typeof country === 'object' && country !== null ? country.iso_code : undefined);
}

const opened = new Map<string, CountryDatabase>();

/**
 * Opens an MMDB country database (ip-location-db `country_code` or MaxMind `country.iso_code` layout).
 * The file is read once per path and shared by every enricher of the process (about 8 MB for the bundled one).
 */
export function openCountryDatabase(path: string = bundledDatabasePath()): CountryDatabase {
  const known = opened.get(path);
  if (known) return known;
  let reader: Reader<Response>;
  try {
    reader = new Reader(readFileSync(path));
  } catch (err) {
    throw new GeoDatabaseError(path, (err as Error).message, { cause: err });
  }
  const database: CountryDatabase = {
    countryOf(ip) {
      const code = codeOf(reader.get(ip));
      return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : undefined;
    },
  };
  opened.set(path, database);
  return database;
}
