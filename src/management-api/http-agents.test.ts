import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectionSchema, tenantSchema } from '../collector/config.ts';
import { startEmulator } from '../emulator/index.ts';
import { silentLogger } from '../observability/logger.ts';
import { ApiError } from './errors.ts';
import { HttpAgents } from './http-agents.ts';
import { createTenantClient } from './tenant-client.ts';

const tenantIds = ['aaaa0001-0000-4000-8000-000000000000', 'aaaa0002-0000-4000-8000-000000000000'];
const appIds = ['bbbb0001-0000-4000-8000-000000000000', 'bbbb0002-0000-4000-8000-000000000000'];

test('tenants with the same CA share one agent, one TLS context and keep-alive connections (MSAL included)', async () => {
  const emulator = await startEmulator({
    seed: 3,
    tenants: tenantIds.map((tenantId, i) => ({
      tenantId,
      name: `t${i}`,
      apps: [{ clientId: appIds[i]!, clientSecret: `secret-${i}` }],
    })),
  });
  const dir = mkdtempSync(join(tmpdir(), 'http-agents-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const collection = collectionSchema.parse({ max_request_attempts: 1 });
  const agents = new HttpAgents({ requestTimeoutMs: 10_000, connectionsPerOrigin: 8 });
  const tenant = (i: number, withCa: boolean) =>
    tenantSchema.parse({
      name: `t${i}`,
      tenant_id: tenantIds[i],
      client_id: appIds[i],
      client_secret: `secret-${i}`,
      login_url: emulator.url,
      api_url: emulator.url,
      ...(withCa ? { ca_file: caFile } : {}),
    });
  try {
    const clients = [0, 1].map((i) => createTenantClient(tenant(i, true), i, collection, { logger: silentLogger, agents }));
    const connected = () =>
      (Object.values(agents.agentFor([emulator.caPem]).stats) as { connected: number }[]).reduce((n, s) => n + s.connected, 0);
    // One after the other: token request and API call of tenant 0, then of tenant 1, all on the same host.
    assert.deepEqual(await clients[0]!.api.listSubscriptions(), []);
    const afterFirst = connected();
    assert.ok(afterFirst >= 1);
    assert.deepEqual(await clients[1]!.api.listSubscriptions(), []);
    assert.equal(connected(), afterFirst, "tenant 1's token request and API call reused tenant 0's kept-alive connections");
    assert.equal(agents.contextsBuilt, 1, 'one SecureContext for both tenants');

    // A tenant without the extra CA does not trust the emulator's certificate: the CA is what makes it trusted.
    const untrusted = createTenantClient(tenant(0, false), 0, collection, { logger: silentLogger, agents });
    await assert.rejects(
      untrusted.api.listSubscriptions(),
      (err: unknown) => err instanceof ApiError && err.kind === 'transient',
    );
    const tokens = { getToken: async () => 'a-token' };
    const untrustedApi = createTenantClient(tenant(0, false), 0, collection, { logger: silentLogger, agents, tokens });
    await assert.rejects(
      untrustedApi.api.listSubscriptions(),
      (err: unknown) => err instanceof ApiError && /certificate/i.test(err.message),
    );
    assert.equal(agents.contextsBuilt, 2, 'a second CA set gets its own context');
    assert.notEqual(agents.agentFor([]), agents.agentFor([emulator.caPem]));
    assert.equal(agents.agentFor([emulator.caPem, emulator.caPem]), agents.agentFor([emulator.caPem]));
  } finally {
    await agents.close();
    await emulator.stop();
  }
});
