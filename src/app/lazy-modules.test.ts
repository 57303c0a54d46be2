import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const child = new URL('./testing/start-pipeline.ts', import.meta.url).pathname;

/**
 * Modules a collector loads only when configured: detection, the event store, the web page, GeoIP and ASN (only when
 * something reads ECS), PostgreSQL, Kafka;
 * the ECS normalizer (with the first batch, when anything reads ECS) is not loaded at start either.
 */
const OPTIONAL = [
  '/src/detect/index.ts',
  '/src/store/event-store.ts',
  '/src/web/server.ts',
  '/src/enrich/geo-enricher.ts',
  '/src/enrich/asn-enricher.ts',
  '/src/state/postgres/postgres-state-store.ts',
  '/src/collector/webhook/receiver.ts',
  '/node_modules/fastify/',
  '/node_modules/mmdb-lib/',
  '/node_modules/pg/',
  '/node_modules/kafkajs/',
  '/src/normalize/normalize.ts',
];

/** Starts and stops the pipeline in a child process; the URLs of the modules it loaded. */
function modulesLoaded(config: Record<string, unknown>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-modules-'));
  const res = spawnSync(
    process.execPath,
    ['--import', 'tsx', child, JSON.stringify({ data_dir: dir, ...config }), join(dir, 'modules.txt')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(res.status, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean);
}

const tenant = {
  name: 'contoso',
  tenant_id: '6f2f1a3c-1b2d-4c8e-9a7b-0c1d2e3f4a5b',
  client_id: '7a3b2c4d-2c3e-4d9f-8b8c-1d2e3f4a5b6c',
  client_secret: 'not-used',
  // Nothing listens there: the collector starts and is stopped before collecting anything.
  login_url: 'https://127.0.0.1:9',
  api_url: 'https://127.0.0.1:9',
};

const loadedOf = (modules: string[]) => OPTIONAL.filter((m) => modules.some((url) => url.includes(m)));

test('a raw collector without store, detection, web page, GeoIP or ASN never imports their modules', { timeout: 90_000 }, () => {
  const modules = modulesLoaded({
    tenants: [tenant],
    output: { format: 'raw' },
    store: { enabled: false },
    detection: { enabled: false },
    // GeoIP and ASN stay on (the default): a raw collector never normalizes, so it never enriches.
    web: { enabled: false },
    sinks: [{ type: 'stdout' }],
  });
  assert.ok(
    modules.some((url) => url.includes('/src/collector/collector.ts')),
    'the list holds what was loaded',
  );
  assert.deepEqual(loadedOf(modules), []);
});

test('store, detection, web page, GeoIP and ASN are imported when configured', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-modules-on-'));
  const modules = modulesLoaded({
    tenants: [tenant],
    store: { enabled: true, path: join(dir, 'events.db') },
    detection: { enabled: true },
    enrichment: { geoip: { enabled: true }, asn: { enabled: true } },
    web: { enabled: true, port: 0 },
    sinks: [{ type: 'stdout' }],
  });
  assert.deepEqual(loadedOf(modules), [
    '/src/detect/index.ts',
    '/src/store/event-store.ts',
    '/src/web/server.ts',
    '/src/enrich/geo-enricher.ts',
    '/src/enrich/asn-enricher.ts',
    '/node_modules/fastify/',
    '/node_modules/mmdb-lib/',
  ]);
});
