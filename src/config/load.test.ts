import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, parseConfig } from './load.ts';
import { ConfigError } from '../core/errors.ts';

const GUID = '11111111-2222-3333-4444-555555555555';
const tenant = (extra: Record<string, unknown> = {}) => ({
  name: 't1',
  tenant_id: GUID,
  client_id: GUID,
  client_secret: 's3cret-value',
  ...extra,
});

test('defaults: no tenant, file sink, ecs output, durations in ms', () => {
  const cfg = parseConfig({});
  assert.deepEqual(cfg.tenants, []);
  assert.equal(cfg.output.format, 'ecs');
  assert.equal(cfg.collection.window, 3_600_000);
  assert.equal(cfg.collection.settle_window, 86_400_000);
  assert.equal(cfg.sinks[0]?.type, 'file');
});

test('a bad key is named in the error', () => {
  assert.throws(
    () => parseConfig({ tenants: [tenant({ tenant_id: 'not-a-guid' })] }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.path, 'tenants[0].tenant_id');
      assert.match(err.message, /tenants\[0\]\.tenant_id: must be a GUID/);
      return true;
    },
  );
  assert.throws(() => parseConfig({ collection: { window: 'soon' } }), /collection\.window: "soon" is not a duration/);
  assert.throws(() => parseConfig({ tenantz: [] }), /tenantz/);
});

test('exactly one credential per tenant', () => {
  assert.throws(
    () => parseConfig({ tenants: [tenant({ client_secret: undefined })] }),
    /exactly one of client_secret or certificate/,
  );
});

test('secrets from env and file: never printed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  writeFileSync(join(dir, 'secret.txt'), 'from-file\n');
  const cfg = parseConfig(
    {
      tenants: [
        tenant({ client_secret: '${MY_SECRET}' }),
        tenant({ name: 't2', client_secret: `file:${join(dir, 'secret.txt')}` }),
      ],
    },
    { MY_SECRET: 'from-env' },
  );
  assert.equal(cfg.tenants[0]?.client_secret?.reveal(), 'from-env');
  assert.equal(cfg.tenants[1]?.client_secret?.reveal(), 'from-file');
  const printed = JSON.stringify(cfg) + inspect(cfg, { depth: 10 }) + String(cfg.tenants[0]?.client_secret);
  assert.ok(!printed.includes('from-env') && !printed.includes('from-file'));
  assert.throws(
    () => parseConfig({ tenants: [tenant({ client_secret: '${UNSET_VAR_X}' })] }, {}),
    /tenants\[0\]\.client_secret: environment variable UNSET_VAR_X is not set/,
  );
  assert.throws(
    () => parseConfig({ tenants: [tenant({ client_secret: 'file:/nonexistent/x' })] }),
    /cannot read secret file \/nonexistent\/x \(ENOENT\)/,
  );
});

test('duplicate tenant names are rejected', () => {
  assert.throws(() => parseConfig({ tenants: [tenant(), tenant()] }), /tenants\[1\]\.name: duplicate tenant name "t1"/);
});

test('YAML file: syntax errors and missing files are clear', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'tenants: [\n');
  assert.throws(() => loadConfig(bad), /is not valid YAML/);
  assert.throws(() => loadConfig(join(dir, 'missing.yaml')), /cannot read config file .*ENOENT/);
  const good = join(dir, 'good.yaml');
  writeFileSync(
    good,
    `tenants:\n  - name: t1\n    tenant_id: ${GUID}\n    client_id: ${GUID}\n    client_secret: abc\n    cloud: gcc-high\n`,
  );
  assert.equal(loadConfig(good).tenants[0]?.cloud, 'gcc-high');
});

test('an unknown key is named with the closest known key at that place', () => {
  assert.throws(
    () => parseConfig({ collection: { pol_interval: '1m' } }),
    (err: unknown) =>
      err instanceof ConfigError && err.message === 'collection.pol_interval: unknown key (did you mean "poll_interval"?)',
  );
  assert.throws(
    () => parseConfig({ sinks: [{ type: 'sekoia', intake_key: 'k', regoin: 'FRA1' }] }),
    (err: unknown) =>
      err instanceof ConfigError && /sinks\[0\]\.regoin: unknown key \(did you mean "region"\?\)/.test(err.message),
  );
  assert.throws(
    () => parseConfig({ zzzzzz: 1 }),
    (err: unknown) => err instanceof ConfigError && err.message === 'zzzzzz: unknown key',
  );
});

test('relative paths are read against the config file folder; one data_dir moves every file the process writes', () => {
  const root = mkdtempSync(join(tmpdir(), 'o365-paths-'));
  const folder = join(root, 'etc');
  mkdirSync(folder);
  writeFileSync(join(folder, 'secret.txt'), 's3cret\n');
  const file = join(folder, 'config.yaml');
  writeFileSync(
    file,
    [
      'data_dir: ../var',
      'tenants:',
      '  - { name: a, tenant_id: 00000000-0000-0000-0000-00000000000a, client_id: 11111111-1111-1111-1111-111111111111,',
      '      client_secret: file:secret.txt, ca_file: ca.pem }',
      'sinks:',
      '  - { type: file, path: out/events.ndjson }',
      '  - { type: http, url: "https://h.example/x", buffer: { type: disk, path: spool-http } }',
    ].join('\n'),
  );
  const config = loadConfig(file, {});
  const varDir = join(root, 'var');
  assert.equal(config.data_dir, varDir);
  assert.equal(config.state, join(varDir, 'state.db'));
  assert.equal(config.store.path, join(varDir, 'events.db'));
  assert.equal(config.tenants[0]?.client_secret?.reveal(), 's3cret');
  assert.equal(config.tenants[0]?.ca_file, join(folder, 'ca.pem'));
  assert.equal(config.sinks[0]?.type === 'file' && config.sinks[0].path, join(folder, 'out/events.ndjson'));
  const http = config.sinks[1];
  assert.equal(http?.type === 'http' && http.buffer.type === 'disk' && http.buffer.path, join(folder, 'spool-http'));

  const defaults = loadConfig(undefined, { O365_DATA_DIR: join(root, 'elsewhere'), O365_TENANT_ID: '' });
  assert.equal(defaults.state, join(root, 'elsewhere', 'state.db'));
  const inD = parseConfig({ data_dir: join(root, 'd') }).sinks[0];
  assert.equal(inD?.type === 'file' ? inD.path : undefined, join(root, 'd', 'events.ndjson'));
  assert.equal(parseConfig({ state: 'postgres://u@db/x' }).state, 'postgres://u@db/x', 'a URL is not a path');
});

test('in a config file a duration carries its unit, and the poll interval is at least 10s unless --i-know', () => {
  const dir = mkdtempSync(join(tmpdir(), 'o365-durations-'));
  const write = (text: string) => {
    const file = join(dir, `c${Math.random()}.yaml`);
    writeFileSync(file, text);
    return file;
  };
  assert.throws(
    () => loadConfig(write('collection:\n  poll_interval: 60\n'), {}),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.message === 'collection.poll_interval: 60 has no unit: write a number and a unit: 500ms, 90s, 15m, 24h, 7d or 2w',
  );
  assert.throws(
    () => loadConfig(write('sinks:\n  - { type: http, url: "https://h.example/x", timeout: 30 }\n'), {}),
    (err: unknown) => err instanceof ConfigError && /^sinks\[0\]\.timeout: 30 has no unit/.test(err.message),
  );
  assert.throws(
    () => loadConfig(write('collection:\n  poll_interval: 60 seconds\n'), {}),
    (err: unknown) =>
      err instanceof ConfigError &&
      /collection\.poll_interval: "60 seconds" is not a duration: write a number and a unit/.test(err.message),
  );
  assert.throws(
    () => loadConfig(write('collection:\n  poll_interval: 2s\n'), {}),
    (err: unknown) =>
      err instanceof ConfigError && /collection\.poll_interval: must be at least 10s .*--i-know/.test(err.message),
  );
  assert.equal(
    loadConfig(write('collection:\n  poll_interval: 2s\n'), {}, { allowFastPolling: true }).collection.poll_interval,
    2000,
  );
  assert.equal(loadConfig(write('collection:\n  poll_interval: 90s\n'), {}).collection.poll_interval, 90_000);
});
