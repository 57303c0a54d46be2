import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../../bin/o365-intake.mjs', import.meta.url).pathname;
const run = (args: string[], input?: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });

test('o365-intake normalize: records on stdin, ECS documents on stdout', () => {
  const record = {
    Id: 'r1',
    CreationTime: '2024-05-01T10:00:00',
    RecordType: 15,
    Operation: 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    UserId: 'bob@contoso.com',
    ClientIP: '198.51.100.7',
    OrganizationId: 'org',
  };
  const res = run(['normalize'], `${JSON.stringify(record)}\nnot json\n`);
  assert.equal(res.status, 1, res.stderr);
  const docs = res.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(docs.length, 1);
  assert.equal(docs[0].user.name, 'bob@contoso.com');
  assert.match(res.stderr, /record 2: not JSON/);
});

test('o365-intake check-config: a bad key is named, a secret is never printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(
    bad,
    'tenants:\n  - name: t1\n    tenant_id: nope\n    client_id: 11111111-2222-3333-4444-555555555555\n    client_secret: ${SECRET_X}\n',
  );
  const res = run(['-c', bad, 'check-config'], undefined, { SECRET_X: 'hunter2-secret' });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /tenants\[0\]\.tenant_id: must be a GUID/);
  assert.ok(!(res.stdout + res.stderr).includes('hunter2-secret'));
  const good = join(dir, 'good.yaml');
  writeFileSync(
    good,
    'tenants:\n  - name: t1\n    tenant_id: 11111111-2222-3333-4444-555555555555\n    client_id: 11111111-2222-3333-4444-555555555555\n    client_secret: ${SECRET_X}\n',
  );
  const ok = run(['check-config', '-c', good], undefined, { SECRET_X: 'hunter2-secret' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /t1 \(commercial, 5 content types\)/);
  assert.ok(!(ok.stdout + ok.stderr).includes('hunter2-secret'));
});
