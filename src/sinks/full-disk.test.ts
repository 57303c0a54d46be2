import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONTENT_TYPES, FAST_COLLECTION, TENANTS, emulatorTenants, tenantEntries } from '../collector/testing/harness.ts';
import { startEmulator } from '../emulator/index.ts';
import { openEventStore } from '../store/event-store.ts';
import { RecordingServer } from './test-support/recording-server.ts';
import { tempDir } from './test-support/events.ts';
import { eventually, exactlyOnce, ProductProcess, readNdjson } from './test-support/product.ts';
import { mountTmpfs } from './test-support/tmpfs.ts';

interface Output {
  name: string;
  status: string;
  reason?: string;
}

test('full disk mid-run: collection pauses, /healthz shows the output in error, and once space is back nothing is lost, duplicated or corrupted', {
  timeout: 240_000,
}, async (t) => {
  const fs = mountTmpfs(16 * 1024 * 1024);
  if (typeof fs === 'string') return t.skip(fs);
  const emulator = await startEmulator({ seed: 7, tenants: emulatorTenants(), pageSize: 20 });
  const receiver = new RecordingServer();
  const receiverUrl = await receiver.start();
  const work = tempDir('full-disk');
  const caFile = join(work, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const data = join(fs.dir, 'data');
  mkdirSync(data);
  const configPath = join(work, 'config.yaml');
  // JSON is YAML.
  writeFileSync(
    configPath,
    JSON.stringify({
      data_dir: data,
      // Collection state on another volume: this test is about the outputs on the full one.
      state: join(work, 'state.db'),
      tenants: tenantEntries(emulator, caFile),
      collection: { ...FAST_COLLECTION, poll_interval: '300ms', batch_size: 20, concurrency: 2 },
      output: { format: 'raw' },
      sinks: [
        { type: 'file', name: 'file', path: join(data, 'events.ndjson') },
        {
          type: 'http',
          name: 'receiver',
          url: `${receiverUrl}/ingest`,
          retry: { max_attempts: 3, initial_backoff: '50ms', max_backoff: '500ms' },
        },
      ],
      store: { path: join(data, 'events.db') },
      detection: { enabled: false },
      web: { port: 0, auth_token: 'full-disk-test-token' },
    }),
  );
  const generate = (count: number) => {
    for (const tenant of TENANTS)
      emulator.generate(tenant.tenantId, count, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 10 });
  };
  const expected = () => TENANTS.flatMap((tenant) => [...emulator.publishedIds(tenant.tenantId)]);
  const fileIds = () => readNdjson(join(data, 'events.ndjson')).docs.map((d) => String(d.Id));
  const receivedIds = () => receiver.requests.flatMap((r) => readLines(r.body).map((d) => String(d.Id)));
  const product = new ProductProcess(configPath);
  try {
    generate(60);
    const base = await eventually(
      'the web page to listen',
      60_000,
      () => /Open (http:\/\/[^\s/]+)\//.exec(product.log(100_000))?.[1],
    );
    const healthz = async () => (await (await fetch(`${base}/healthz`)).json()) as { outputs?: Output[] };
    await eventually('the first events in the file', 60_000, () => fileIds().length >= expected().length);

    const filler = fs.fill();
    generate(60);
    const failing = await eventually('an output shown in error on /healthz', 60_000, async () =>
      (await healthz()).outputs?.find((o) => o.status === 'error'),
    );
    assert.match(failing.reason ?? '', /cannot write to local disk|spool|disk/);
    // Paused: no blob is fetched while the disk stays full (the gate is checked every 5 s).
    const fetched = emulator.stats().requests.blob ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.ok((emulator.stats().requests.blob ?? 0) <= fetched + 2, 'collection pauses while the disk is full');
    assert.ok(product.running, `the product keeps running: ${product.log()}`);
    assert.ok(filler);

    fs.free();
    generate(60);
    const all = expected();
    await eventually('every event in the file and at the receiver once space is back', 120_000, () =>
      fileIds().length >= all.length && new Set(receivedIds()).size >= all.length ? true : undefined,
    );
    await eventually('/healthz to show every output ok again', 30_000, async () =>
      (await healthz()).outputs?.every((o) => o.status === 'ok'),
    );
    if (process.env.FULL_DISK_DEBUG)
      console.error(
        product
          .log(400_000)
          .split('\n')
          .filter((l) => /storage|space|rolled|cannot|full/.test(l))
          .map((l) => l.slice(0, 300))
          .join('\n'),
      );
    assert.equal(await product.stop(), 0, product.log());

    const file = readNdjson(join(data, 'events.ndjson'));
    assert.equal(file.corrupted, 0, 'no corrupted line in the file sink');
    assert.deepEqual(exactlyOnce(fileIds(), all), [], 'file sink');
    assert.deepEqual(exactlyOnce(receivedIds(), all), [], 'HTTP receiver');
    const store = openEventStore({ ...storeDefaults, path: join(data, 'events.db') });
    try {
      assert.equal(store.countEvents(), all.length, 'the store holds every event once');
    } finally {
      await store.close();
    }
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- product log ---\n${product.log(6000)}`, { cause: err });
  } finally {
    await product.stop('SIGKILL');
    await receiver.stop();
    await emulator.stop();
    fs.unmount();
  }
});

const storeDefaults = {
  enabled: true,
  retention: 30 * 86_400_000,
  max_events: 5_000_000,
  max_size_mb: 4096,
  retention_interval: 600_000,
  query_workers: 1,
  query_timeout: 30_000,
};

function readLines(body: string): Array<Record<string, unknown>> {
  return body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
