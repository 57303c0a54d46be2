import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_CONTENT_TYPES, FAST_COLLECTION, TENANTS, emulatorTenants, tenantEntries } from '../../collector/testing/harness.ts';
import { startEmulator } from '../../emulator/index.ts';
import { tempDir } from '../test-support/events.ts';
import { eventually, exactlyOnce, ProductProcess } from '../test-support/product.ts';

const KILLS = 4;

interface Received {
  key: string;
  ids: string[];
}

test(`HTTP sink: the product is SIGKILLed ${KILLS} times right after the receiver acknowledged; every event arrives, and a repeat carries the same Idempotency-Key`, {
  timeout: 300_000,
}, async () => {
  const emulator = await startEmulator({ seed: 5, tenants: emulatorTenants(), pageSize: 20 });
  const received: Received[] = [];
  let product: ProductProcess | undefined;
  let killAfter = 0;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      const docs = Buffer.concat(parts)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { event?: { id?: string } });
      received.push({ key: String(req.headers['idempotency-key']), ids: docs.map((d) => String(d.event?.id)) });
      res.on('finish', () => {
        killAfter -= 1;
        if (killAfter === 0) product?.child.kill('SIGKILL');
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest`;
  const work = tempDir('http-kill');
  const caFile = join(work, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const configPath = join(work, 'config.yaml');
  writeFileSync(
    configPath,
    JSON.stringify({
      data_dir: join(work, 'data'),
      state: join(work, 'data', 'state.db'),
      tenants: tenantEntries(emulator, caFile),
      collection: { ...FAST_COLLECTION, poll_interval: '300ms', batch_size: 15, concurrency: 2 },
      sinks: [
        {
          type: 'http',
          name: 'receiver',
          url,
          max_batch_events: 10,
          retry: { max_attempts: 3, initial_backoff: '50ms', max_backoff: '300ms' },
        },
      ],
      store: { enabled: false },
      detection: { enabled: false },
      web: { enabled: false },
    }),
  );
  const expected = () => TENANTS.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      for (const t of TENANTS) emulator.generate(t.tenantId, 40, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 7 });
      killAfter = 1 + (kill % 3);
      product = new ProductProcess(configPath);
      const code = await Promise.race([product.exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 60_000))]);
      assert.notEqual(code, 'timeout', `round ${kill}: the receiver was never reached: ${product.log()}`);
      assert.equal(product.child.signalCode, 'SIGKILL', `round ${kill}: ${product.log()}`);
    }
    killAfter = -1;
    product = new ProductProcess(configPath);
    const all = expected();
    await eventually('every event at the receiver', 120_000, () => new Set(received.flatMap((r) => r.ids)).size >= all.length);
    assert.equal(await product.stop(), 0, product.log());

    const byKey = new Map<string, string[]>();
    for (const r of received) {
      const before = byKey.get(r.key);
      if (before) assert.deepEqual(r.ids, before, `a repeat of batch ${r.key} carries the same events`);
      byKey.set(r.key, r.ids);
    }
    assert.ok(
      received.every((r) => /^[0-9a-f]{32}$/.test(r.key)),
      'every request has an Idempotency-Key',
    );
    // What a receiver that drops repeated keys keeps: every event exactly once.
    assert.deepEqual(exactlyOnce([...byKey.values()].flat(), all), []);
    // A kill repeats at most the requests of the one group commit it interrupted: with concurrency 2, a group holds
    // at most 2 batches of 15 events, sent as 3 requests of at most 10.
    const repeats = received.length - byKey.size;
    assert.ok(repeats <= KILLS * 3, `${repeats} repeated request(s): at most one group's requests (3) per kill`);
  } finally {
    await product?.stop('SIGKILL');
    server.close();
    await emulator.stop();
  }
});
