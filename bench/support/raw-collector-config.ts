import { stringify } from 'yaml';
import { benchTenant } from './emulator-process.ts';

/**
 * The YAML config of a collector of `tenants` emulated tenants (`benchTenant(i)`) in raw format into one NDJSON file,
 * with the store, detection, GeoIP and the web page off; paths are read against the config file's folder. `options`:
 * the content types of every tenant (default: the collector's), and collection settings added to the bench's own.
 */
export function rawCollectorConfig(
  emulatorUrl: string,
  tenants: number,
  output: string,
  options: { contentTypes?: readonly string[]; collection?: Record<string, unknown> } = {},
): string {
  return stringify({
    tenants: Array.from({ length: tenants }, (_, i) => {
      const t = benchTenant(i);
      return {
        name: t.name,
        tenant_id: t.tenantId,
        client_id: t.clientId,
        client_secret: t.secret,
        login_url: emulatorUrl,
        api_url: emulatorUrl,
        ca_file: 'ca.pem',
        ...(options.contentTypes ? { content_types: options.contentTypes } : {}),
      };
    }),
    data_dir: 'data',
    collection: { backfill: '1h', settle_window: '1h', listing_delay: '0s', ...options.collection },
    output: { format: 'raw' },
    store: { enabled: false },
    detection: { enabled: false },
    enrichment: { geoip: { enabled: false } },
    web: { enabled: false },
    sinks: [{ type: 'file', path: output }],
  });
}
