import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../config/load.ts';
import { startEmulator } from '../emulator/index.ts';
import { TestClient } from '../emulator/test-support.ts';
import { silentLogger } from '../observability/logger.ts';
import { diagnoseTenant } from './doctor.ts';
import { FAST_COLLECTION, TENANTS, emulatorTenants, tempDir, tenantEntries } from './testing/harness.ts';

test('doctor: credentials, clock, each subscription and recent content, read-only; a bad secret is one clear failure', async () => {
  const emulator = await startEmulator({ seed: 21, tenants: emulatorTenants(), pageSize: 2 });
  try {
    const caFile = join(tempDir(), 'ca.pem');
    writeFileSync(caFile, emulator.caPem);
    const [contoso] = TENANTS;
    const client = new TestClient(emulator);
    const token = await client.token(contoso.tenantId, contoso.clientId, contoso.secret);
    const api = (path: string) => client.api(contoso.tenantId, path);
    assert.equal((await client.post(api('subscriptions/start?contentType=Audit.Exchange'), token)).status, 200);
    assert.equal((await client.post(api('subscriptions/start?contentType=Audit.General'), token)).status, 200);
    assert.equal((await client.post(api('subscriptions/stop?contentType=Audit.General'), token)).status, 200);
    emulator.generate(contoso.tenantId, 30, {
      contentTypes: ['Audit.Exchange'],
      recordsPerBlob: 10,
      contentCreated: Date.now() - 3_600_000,
    });
    const config = parseConfig({
      collection: FAST_COLLECTION,
      tenants: tenantEntries(emulator, caFile, [{}, { client_secret: 'wrong-secret-value' }]),
    });
    const startsBefore = emulator.stats().requests.start ?? 0;

    const good = await diagnoseTenant(config.tenants[0]!, 0, config.collection, { logger: silentLogger });
    const detail = (name: string) => good.checks.find((c) => c.name === name);
    assert.equal(detail('sign-in')?.ok, true);
    assert.equal(detail('clock')?.ok, true);
    assert.match(detail('Audit.Exchange')?.detail ?? '', /subscription enabled; 3 blobs in the last 24 h/);
    assert.equal(detail('Audit.General')?.ok, false);
    assert.match(detail('Audit.General')?.detail ?? '', /disabled \(AF20023\)/);
    assert.match(detail('Audit.SharePoint')?.detail ?? '', /not subscribed yet/);
    assert.equal(good.ok, false, 'a disabled subscription needs attention');
    assert.equal(emulator.stats().requests.start ?? 0, startsBefore, 'doctor starts nothing');

    const bad = await diagnoseTenant(config.tenants[1]!, 1, config.collection, { logger: silentLogger });
    assert.equal(bad.ok, false);
    assert.equal(bad.checks.length, 1);
    assert.match(bad.checks[0]!.detail, /AADSTS7000215/);
    assert.ok(!JSON.stringify(bad).includes('wrong-secret-value'));
  } finally {
    await emulator.stop();
  }
});
