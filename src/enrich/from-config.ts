import type { EcsDocument } from '../core/processed-event.ts';
import type { EnrichmentConfig } from './config.ts';
import { createGeoEnricher } from './geo-enricher.ts';

/** The enrichment step configured by the `enrichment:` section; a no-op when GeoIP is disabled. */
export function enricherFromConfig(config: EnrichmentConfig): (ecs: EcsDocument) => void {
  if (!config.geoip.enabled) return () => {};
  const geo = createGeoEnricher({
    cacheSize: config.geoip.cache_size,
    ...(config.geoip.database ? { databasePath: config.geoip.database } : {}),
  });
  return (ecs) => geo.enrich(ecs);
}
