/** Enrichment steps run after normalize(): GeoIP country and autonomous system of the ECS ip fields. */
export { createGeoEnricher, type GeoEnricher, type GeoEnricherOptions, type GeoFields } from './geo-enricher.ts';
export { bundledDatabasePath } from './geo-database.ts';
export { createAsnEnricher, type AsnEnricher, type AsnEnricherOptions } from './asn-enricher.ts';
export { bundledAsnFolder, type AsnFields } from './asn-database.ts';
export { publicAddress } from './public-ip.ts';
export { AsnDatabaseError, GeoDatabaseError } from './errors.ts';
export { enrichmentSchema, type EnrichmentConfig } from './config.ts';
export { enricherFromConfig } from './from-config.ts';
