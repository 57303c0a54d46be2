import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { ConfigError } from '../core/errors.ts';
import type { Sink } from '../core/sink.ts';
import { silentLogger } from '../observability/logger.ts';
import { createSinks, sinkName } from './index.ts';
import { spoolOf, spoolStats } from './sink-stats.ts';
import { RecordingServer, type RecordedRequest } from './test-support/recording-server.ts';
import { FAST_RETRY, tempDir, testEvent, testEvents } from './test-support/events.ts';

const sekoiaIds = (r: RecordedRequest): string[] =>
  (JSON.parse(r.body) as { jsons: string[] }).jsons.map((j) => (JSON.parse(j) as { Id: string }).Id);

test('names: explicit, type, or type-index; duplicates are a config error', () => {
  assert.equal(sinkName({ type: 'stdout' }, 0), 'stdout');
  assert.equal(sinkName({ type: 'stdout' }, 2), 'stdout-2');
  const cfg = parseConfig({
    sinks: [
      { type: 'stdout', name: 'a' },
      { type: 'stdout', name: 'a' },
    ],
  });
  assert.throws(
    () => createSinks(cfg.sinks, { dataDir: tempDir('f'), logger: silentLogger }),
    (err: unknown) => err instanceof ConfigError && /duplicate sink name "a"/.test(err.message),
  );
});

test('config errors name the bad key', () => {
  assert.throws(() => parseConfig({ sinks: [{ type: 'sekoia' }] }), /sinks\[0\]\.intake_key/);
  assert.throws(
    () => parseConfig({ sinks: [{ type: 'elasticsearch', url: 'http://es:9200', username: 'u' }] }),
    /sinks\[0\]\.password: set both username and password/,
  );
  assert.throws(() => parseConfig({ sinks: [{ type: 'syslog', host: 'h', protocol: 'relp' }] }), /sinks\[0\]\.protocol/);
});

test('several sinks at once: a down sink spools while the others deliver, then catches up; kinds filter', {
  timeout: 30_000,
}, async (t) => {
  const sekoia = new RecordingServer();
  const webhook = new RecordingServer();
  const sekoiaUrl = await sekoia.start();
  const webhookUrl = await webhook.start();
  t.after(async () => {
    await sekoia.stop();
    await webhook.stop();
  });
  let sekoiaDown = true;
  const accepted: string[] = [];
  sekoia.handler = (req) => {
    if (sekoiaDown) return { status: 503 };
    accepted.push(...sekoiaIds(req));
    return { status: 200, body: { event_ids: sekoiaIds(req) } };
  };
  const dataDir = tempDir('sinks');
  const config = parseConfig({
    data_dir: dataDir,
    sinks: [
      { type: 'sekoia', intake_key: 'k', intake_url: sekoiaUrl, gzip: false, retry: FAST_RETRY },
      { type: 'http', name: 'alerts-hook', url: webhookUrl, kinds: ['alert'], buffer: { type: 'memory' }, retry: FAST_RETRY },
      { type: 'file', path: join(dataDir, 'events.ndjson') },
    ],
  });
  const sinks = createSinks(config.sinks, { dataDir, logger: silentLogger });
  assert.deepEqual(
    sinks.map((s) => s.name),
    ['sekoia', 'alerts-hook', 'file-2'],
  );
  for (const sink of sinks) await sink.open();
  const batch = [...testEvents(1, 3), testEvent(4, 0, 'alert')];
  await Promise.all(sinks.map((s) => s.write(batch)));
  // Every write resolved though the Sekoia intake is down: its batch is in its own spool.
  assert.equal(readFileSync(join(dataDir, 'events.ndjson'), 'utf8').split('\n').filter(Boolean).length, 4);
  assert.deepEqual(
    webhook.requests.map((r) => r.body),
    ['{"Id":"4","Operation":"UserLoggedIn"}\n'],
  );
  assert.ok(sinks[0]?.position?.(), 'the spooled sink reports a position');
  for (let i = 0; i < 300 && !spoolStats(sinks[0] as Sink)?.lastError; i++) await new Promise((r) => setTimeout(r, 10));
  sekoiaDown = false;
  assert.equal(spoolOf(sinks[1] as Sink), undefined, 'memory buffer: no spool');
  assert.equal(spoolStats(sinks[0] as Sink)?.lastError?.message.includes('HTTP 503'), true);
  await spoolOf(sinks[0] as Sink)?.whenDrained();
  assert.equal(spoolStats(sinks[0] as Sink)?.deliveredEvents, 4);
  for (const sink of sinks) await sink.close();
  assert.equal(sekoia.requests[0] && sekoiaIds(sekoia.requests[0]).length, 4, 'the intake was tried while down');
  assert.deepEqual(accepted, ['1', '2', '3', '4']);
});
