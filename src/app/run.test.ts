import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../config/load.ts';
import { silentLogger } from '../observability/logger.ts';
import { runPipeline } from './run.ts';

const lines = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);

test('with no tenant configured, the pipeline collects from the built-in emulator into the sinks, the store and the web page', {
  timeout: 120_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-'));
  const out = join(dir, 'events.ndjson');
  const config = parseConfig({
    data_dir: dir,
    store: { path: join(dir, 'events.db') },
    sinks: [{ type: 'file', path: out }],
    web: { port: 0 },
    emulator: { seed: 7, tenants: 2, backfill: '20m', events_per_minute: 60 },
  });
  const running = await runPipeline(config, silentLogger);
  try {
    assert.ok(running.webUrl && running.generatedWebToken, 'web page URL and generated token');
    const base = running.webUrl.replace(/\/$/, '');
    const auth = { authorization: `Bearer ${running.generatedWebToken}` };
    // The backfill (≈ 20 min × 60 events/min × 2 tenants) is collected within the first polls.
    for (let i = 0; i < 120 && lines(out).length < 1500; i++) await sleep(500);
    const docs = lines(out).map((l) => JSON.parse(l));
    assert.ok(docs.length >= 1500, `expected the backfill in the file sink, got ${docs.length}`);
    const ids = docs.filter((d) => d.event?.kind !== 'alert').map((d) => `${d.organization?.id}:${d.office365?.record_id}`);
    assert.equal(new Set(ids).size, ids.length, 'no event written twice');
    assert.ok(docs.some((d) => d['@timestamp'] && d.labels?.tenant === 'contoso' && d.observer?.product === 'o365-intake'));
    assert.deepEqual(new Set(docs.map((d) => d.labels?.tenant)), new Set(['contoso', 'fabrikam']));

    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal((await fetch(`${base}/api/events`)).status, 401, 'the API requires the token');
    const events = (await (await fetch(`${base}/api/events?limit=5`, { headers: auth })).json()) as {
      events: unknown[];
      total: number;
    };
    assert.ok(events.total >= 1500 && events.events.length === 5);
    const alerts = (await (await fetch(`${base}/api/alerts`, { headers: auth })).json()) as {
      alerts: { ruleId: string; eventIds: string[] }[];
    };
    assert.ok(alerts.alerts.length > 0, 'the demo scenarios raise alerts');
    assert.ok(alerts.alerts.every((a) => a.eventIds.length > 0));
    const health2 = (await (await fetch(`${base}/api/health`, { headers: auth })).json()) as {
      rows: { tenantName: string; contentType: string; status: string }[];
    };
    assert.equal(health2.rows.length, 10, 'two tenants × five content types');
    const outputs = (health2 as unknown as { sinks?: { name: string; status: string }[] }).sinks ?? [];
    assert.deepEqual(outputs.map((o) => `${o.name}:${o.status}`).sort(), ['dead-letter:ok', 'file:ok']);
    assert.ok(
      health2.rows.every((r) => r.status === 'ok'),
      JSON.stringify(health2.rows.map((r) => r.status)),
    );
  } finally {
    await running.stop();
  }
});
