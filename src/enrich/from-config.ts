import type { EcsDocument } from '../core/processed-event.ts';
import { createAsnEnricher } from './asn-enricher.ts';
import type { EnrichmentConfig } from './config.ts';
import { createGeoEnricher } from './geo-enricher.ts';

/** The enrichment steps configured by the `enrichment:` section (GeoIP country, then ASN); a no-op when both are off. */
export function enricherFromConfig(config: EnrichmentConfig): (ecs: EcsDocument) => void {
  const steps: ((ecs: EcsDocument) => void)[] = [];
  if (config.geoip.enabled) {
    const geo = createGeoEnricher({
      cacheSize: config.geoip.cache_size,
      ...(config.geoip.database ? { databasePath: config.geoip.database } : {}),
    });
    steps.push((ecs) => geo.enrich(ecs));
  }
  if (config.asn.enabled) {
    const asn = createAsnEnricher({
      cacheSize: config.asn.cache_size,
      ...(config.asn.database ? { databaseFolder: config.asn.database } : {}),
    });
    steps.push((ecs) => asn.enrich(ecs));
  }
  const [first, second] = steps;
  if (!first) return () => {};
  if (!second) return first;
  return (ecs) => {
    first(ecs);
    second(ecs);
  };
}
