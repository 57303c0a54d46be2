import { z } from 'zod';

/** `enrichment:` section of the configuration file. */
export const enrichmentSchema = z
  .object({
    geoip: z
      .object({
        enabled: z.boolean().default(true),
        /** An MMDB country database to use instead of the bundled one (ip-location-db or MaxMind GeoLite2-Country). */
        database: z.string().min(1).optional(),
        /** Most IP addresses whose country is remembered. */
        cache_size: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    asn: z
      .object({
        enabled: z.boolean().default(true),
        /** A folder with ip-location-db's `asn-ipv4-num.csv` and `asn-ipv6-num.csv` to use instead of the bundled ones. */
        database: z.string().min(1).optional(),
        /** Most IP addresses whose autonomous system is remembered. */
        cache_size: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
export type EnrichmentConfig = z.infer<typeof enrichmentSchema>;
