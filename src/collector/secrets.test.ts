import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startEmulator } from '../emulator/index.ts';
import { createLogger } from '../observability/logger.ts';
import { startTestServer } from '../web/testing/test-server.ts';
import { TENANTS, emulatorTenants, inProcess, tempDir, tenantEntries } from './testing/harness.ts';

const WRONG_SECRET = 'wrong-secret-value-123';
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

function assertClean(where: string, text: string): void {
  for (const secret of [WRONG_SECRET, TENANTS[0].secret, TENANTS[1].secret])
    assert.ok(!text.includes(secret), `${where} holds ${secret}`);
  assert.doesNotMatch(text, JWT, `${where} holds a token`);
}

test('a token endpoint and an API that echo the secret and the token: nothing reaches the logs, the state file or /api/health', async () => {
  const emulator = await startEmulator({
    seed: 31,
    tenants: emulatorTenants(),
    pageSize: 50,
    chaos: { echoCredentials: true, apiErrorEcho: 1 },
  });
  const dir = tempDir();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, emulator.caPem);
  const logStream = new PassThrough();
  let logText = '';
  logStream.on('data', (chunk: Buffer) => (logText += chunk.toString()));
  const run = await inProcess(
    dir,
    { tenants: tenantEntries(emulator, caFile, [{ client_secret: WRONG_SECRET }]) },
    createLogger('debug', logStream),
  );
  const web = await startTestServer({ health: run.state });
  try {
    for (let i = 0; i < 2; i += 1) await run.collector.runOnce();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok((emulator.stats().injected.echo ?? 0) >= 1, 'the API echoed the Authorization header');

    const health = await run.state.streamHealth();
    const contoso = health.find((h) => h.tenantName === 'contoso')?.lastError?.message ?? '';
    const fabrikam = health.find((h) => h.tenantName === 'fabrikam')?.lastError?.message ?? '';
    assert.match(contoso, /AADSTS7000215: Invalid client secret provided.*client_secret=\[redacted\]/, contoso);
    assert.match(fabrikam, /Authorization: Bearer \[redacted\]/, fabrikam);

    assert.match(logText, /AADSTS7000215[^\n]*\[redacted\]/);
    assert.match(logText, /Authorization: Bearer \[redacted\]/);
    assertClean('the log', logText);

    const api = await fetch(new URL('/api/health', web.url), { headers: { authorization: `Bearer ${web.server.token}` } });
    assert.equal(api.status, 200);
    const body = await api.text();
    assert.match(body, /AADSTS7000215[^"]*\[redacted\]/);
    assert.match(body, /Authorization: Bearer \[redacted\]/);
    assertClean('/api/health', body);

    await run.state.close();
    const files = ['state.db', 'state.db-wal'].map((f) => join(dir, f)).filter((f) => existsSync(f));
    assert.ok(files.length > 0);
    for (const file of files) assertClean(file, readFileSync(file).toString('latin1'));
  } finally {
    await web.close();
    await run.close();
    await emulator.stop();
  }
});
