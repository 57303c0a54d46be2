import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { generate } from 'selfsigned';
import { Agent, fetch } from 'undici';
import { silentLogger } from '../observability/logger.ts';
import { storeSchema } from '../store/config.ts';
import { openAnalystStore } from '../store/analyst/analyst-store.ts';
import { openEventStore } from '../store/event-store.ts';
import { webSchema } from './config.ts';
import { createWebServer } from './server.ts';

test('HTTPS with a configured certificate: HSTS and Secure session cookie', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-tls-'));
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048, algorithm: 'sha256' });
  writeFileSync(join(dir, 'cert.pem'), pems.cert);
  writeFileSync(join(dir, 'key.pem'), pems.private);
  const store = openEventStore(storeSchema.parse({ path: join(dir, 'events.db') }));
  const config = webSchema.parse({
    port: 0,
    auth_token: 'tls-test-token',
    tls: { cert: join(dir, 'cert.pem'), key: `file:${join(dir, 'key.pem')}` },
  });
  const analyst = openAnalystStore(join(dir, 'events.db'));
  const server = createWebServer({
    config,
    store,
    analyst,
    health: { streamHealth: async () => [] },
    logger: silentLogger,
    metricsRegistry: new Registry(),
    dataDir: dir,
  });
  const url = await server.listen();
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(new URL('/events?token=tls-test-token', url), { dispatcher, redirect: 'manual' });
    assert.equal(res.status, 303);
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
    assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000');
  } finally {
    await server.close();
    await dispatcher.close();
    await analyst.close();
    store.close();
  }
});

test('bad TLS files are named in the error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-tls-'));
  writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
  const store = openEventStore(storeSchema.parse({ path: join(dir, 'events.db') }));
  const analyst = openAnalystStore(':memory:');
  const deps = {
    store,
    analyst,
    health: { streamHealth: async () => [] },
    logger: silentLogger,
    metricsRegistry: new Registry(),
    dataDir: dir,
  };
  try {
    assert.throws(
      () => createWebServer({ config: webSchema.parse({ tls: { cert: join(dir, 'missing.pem'), key: 'x' } }), ...deps }),
      /web\.tls\.cert: cannot read .*missing\.pem \(ENOENT\)/,
    );
    assert.throws(
      () => createWebServer({ config: webSchema.parse({ tls: { cert: join(dir, 'not-a-cert.pem'), key: 'x' } }), ...deps }),
      /web\.tls\.cert: .* is not a PEM certificate/,
    );
  } finally {
    await analyst.close();
    store.close();
  }
});
