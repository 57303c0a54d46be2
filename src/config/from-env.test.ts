import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../core/errors.ts';
import { loadConfig, parseConfig } from './load.ts';

const T1 = '00000000-0000-0000-0000-00000000000a';
const T2 = '00000000-0000-0000-0000-00000000000b';
const APP = '11111111-1111-1111-1111-111111111111';

test('the four environment variables of the common case start a full configuration with no YAML', () => {
  const config = loadConfig(undefined, {
    O365_TENANT_ID: T1,
    O365_CLIENT_ID: APP,
    O365_CLIENT_SECRET: 'p@ss${NOT_A_VAR}',
    SEKOIA_INTAKE_KEY: 'intake-key-1',
    SEKOIA_REGION: 'USA1',
    O365_DATA_DIR: '/var/lib/o365',
  });
  assert.equal(config.tenants.length, 1);
  const [tenant] = config.tenants;
  assert.equal(tenant?.tenant_id, T1);
  assert.equal(tenant?.client_id, APP);
  assert.equal(tenant?.client_secret?.reveal(), 'p@ss${NOT_A_VAR}', 'a secret value is never expanded again');
  assert.equal(config.sinks[0]?.type, 'sekoia');
  assert.equal(config.sinks[0]?.type === 'sekoia' && config.sinks[0].region, 'USA1');
  assert.equal(config.data_dir, '/var/lib/o365');
  assert.equal(config.state, '/var/lib/o365/state.db');
});

test('several tenants share one multi-tenant app registration; without an intake key events go to a file', () => {
  const config = loadConfig(undefined, { O365_TENANT_ID: `${T1}, ${T2}`, O365_CLIENT_ID: APP, O365_CLIENT_SECRET: 's' });
  assert.deepEqual(
    config.tenants.map((t) => [t.name, t.tenant_id, t.client_id]),
    [
      ['tenant-1', T1, APP],
      ['tenant-2', T2, APP],
    ],
  );
  assert.equal(config.sinks[0]?.type, 'file');
});

test('a missing variable is named, never a value', () => {
  assert.throws(
    () => loadConfig(undefined, { O365_TENANT_ID: T1, O365_CLIENT_ID: APP }),
    (err: unknown) => err instanceof ConfigError && /O365_CLIENT_SECRET is not set/.test(err.message),
  );
});

test('no O365_TENANT_ID: the defaults (emulator mode)', () => {
  assert.equal(loadConfig(undefined, {}).tenants.length, 0);
});

test('YAML `app:` gives its credentials to tenants that do not name their own', () => {
  const config = parseConfig({
    app: { client_id: APP, client_secret: 'shared' },
    tenants: [
      { name: 'a', tenant_id: T1 },
      { name: 'b', tenant_id: T2, client_id: '22222222-2222-2222-2222-222222222222', client_secret: 'own' },
    ],
  });
  assert.equal(config.tenants[0]?.client_secret?.reveal(), 'shared');
  assert.equal(config.tenants[1]?.client_secret?.reveal(), 'own');
  assert.throws(
    () => parseConfig({ app: { client_id: APP, secret: 'x' }, tenants: [] }),
    (err: unknown) => err instanceof ConfigError && /app\.secret/.test(err.message),
  );
});
