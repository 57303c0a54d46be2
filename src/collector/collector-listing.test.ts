import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { startEmulator } from '../emulator/index.ts';
import { TestClient } from '../emulator/test-support.ts';
import { silentLogger } from '../observability/logger.ts';
import { FileSink } from '../sinks/file.ts';
import { SqliteStateStore } from '../state/sqlite-state-store.ts';
import type { StreamKey } from '../state/state-store.ts';
import { createCollector } from './collector.ts';
import { countOutputIds, exactlyOnceProblems } from './testing/output-file.ts';
import { ALL_CONTENT_TYPES, FAST_COLLECTION, tempDir, tenantEntries } from './testing/harness.ts';
import { SinkDelivery } from './testing/sink-delivery.ts';

const TENANT_COUNT = 30;
const tenants = Array.from({ length: TENANT_COUNT }, (_, i) => {
  const hex = (i + 1).toString(16).padStart(12, '0');
  return {
    name: `tenant${i}`,
    tenantId: `7a000000-0000-4000-8000-${hex}`,
    clientId: `7b000000-0000-4000-8000-${hex}`,
    secret: `secret-${i}~x`,
  };
});
const streamId = (key: StreamKey): string => `${key.tenantId}/${key.contentType}`;

test('many tenants: streams wait for a listing turn as queue entries, not as requests (at most 64 created at once); every stream lists every cycle', async () => {
  const emulator = await startEmulator({
    seed: 5,
    tenants: tenants.map((t) => ({
      tenantId: t.tenantId,
      name: t.name,
      apps: [{ clientId: t.clientId, clientSecret: t.secret }],
    })),
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  // concurrency 1: 30 × (1 blob worker + 5 listings) + 1 → 64 connections, 32 control requests, 64 listing turns.
  const config = parseConfig({
    tenants: tenantEntries(emulator, caFile, [], tenants),
    collection: { ...FAST_COLLECTION, concurrency: 1 },
  });
  const state = new SqliteStateStore(join(dir, 'state.db'));
  const polls = new Map<string, number>();
  const observed = new Proxy(state, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'recordPoll')
        return (key: StreamKey, at: number, error?: { code: string; message: string }) => {
          polls.set(streamId(key), (polls.get(streamId(key)) ?? 0) + (error ? 0 : 1));
          return target.recordPoll(key, at, error);
        };
      return value.bind(target);
    },
  });
  // Every request attempt asks for the token once it is created; each answer here takes 20 ms, so the requests
  // created at once show as token requests pending at once.
  const client = new TestClient(emulator);
  const tokens = new Map<string, string>();
  for (const t of tenants) tokens.set(t.tenantId, await client.token(t.tenantId, t.clientId, t.secret));
  await client.close();
  let pending = 0;
  let peak = 0;
  const tokenProvider = (tenant: { tenant_id: string }) => ({
    async getToken() {
      pending += 1;
      peak = Math.max(peak, pending);
      await new Promise((resolve) => setTimeout(resolve, 20));
      pending -= 1;
      return tokens.get(tenant.tenant_id) ?? '';
    },
  });
  const output = join(dir, 'out.ndjson');
  const delivery = new SinkDelivery([new FileSink({ name: 'file', path: output, logger: silentLogger })]);
  await state.recordBaselinePositions(await delivery.open(await state.sinkPositions()));
  const collector = createCollector({ config, stateStore: observed, delivery, logger: silentLogger, tokenProvider });
  try {
    for (const t of tenants) emulator.generate(t.tenantId, 10, { contentTypes: ALL_CONTENT_TYPES, recordsPerBlob: 5 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const streams = TENANT_COUNT * ALL_CONTENT_TYPES.length;
    for (let cycle = 1; cycle <= 2; cycle += 1) {
      const results = await collector.runOnce();
      assert.deepEqual(
        results.filter((r) => r.error),
        [],
      );
      assert.equal(polls.size, streams, 'every stream polled');
      assert.ok(
        [...polls.values()].every((n) => n === cycle),
        `every stream listed once in cycle ${cycle}`,
      );
    }
    assert.ok(peak > 1 && peak <= 64, `at most 64 requests created at once for ${streams} streams (peak ${peak})`);
    const expected = tenants.flatMap((t) => [...emulator.publishedIds(t.tenantId)].map((id) => `${t.tenantId}:${id}`));
    assert.equal(expected.length, TENANT_COUNT * 10);
    assert.deepEqual(exactlyOnceProblems(countOutputIds(output), expected), []);
  } finally {
    await collector.stop();
    await delivery.close();
    await state.close();
    await emulator.stop();
  }
});
