import { z } from 'zod';

/**
 * One IP lookup step: on by default; `database` replaces the bundled data (geoip: an MMDB country file, ip-location-db
 * or MaxMind GeoLite2-Country; asn: a folder with ip-location-db's `asn-ipv4-num.csv` and `asn-ipv6-num.csv`);
 * `cache_size` is how many IP addresses' answers are remembered.
 */
const lookupStep = z
  .object({
    enabled: z.boolean().default(true),
    database: z.string().min(1).optional(),
    cache_size: z.number().int().positive().default(10_000),
  })
  .strict()
  .prefault({});

/** `enrichment:` section of the configuration file. */
export const enrichmentSchema = z.object({ geoip: lookupStep, asn: lookupStep }).strict().prefault({});
export type EnrichmentConfig = z.infer<typeof enrichmentSchema>;
