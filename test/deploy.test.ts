import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../src/config/load.ts';

const root = new URL('..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Dockerfile instructions with their arguments (continuation lines joined, comments dropped). */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

test('Dockerfile: multi-stage, non-root, /data volume, HEALTHCHECK on /healthz, exec-form entrypoint, no secret baked in', () => {
  const ins = instructions(read('Dockerfile'));
  const froms = ins.filter((i) => i.op === 'FROM');
  assert.ok(froms.length >= 2, 'a build stage and a runtime stage');
  assert.match(froms[0]?.args ?? '', / AS build$/i);
  const runtime = ins.slice(ins.lastIndexOf(froms.at(-1)!));
  const user = runtime.filter((i) => i.op === 'USER').at(-1);
  assert.ok(user && !/^(root|0)(:|$)/.test(user.args), 'the runtime stage ends as a non-root user');
  assert.ok(runtime.some((i) => i.op === 'VOLUME' && i.args.includes('/data')));
  const health = runtime.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(health?.args.includes('/healthz'), 'HEALTHCHECK probes /healthz');
  const entrypoint = runtime.find((i) => i.op === 'ENTRYPOINT');
  assert.ok(entrypoint && Array.isArray(JSON.parse(entrypoint.args)), 'ENTRYPOINT in exec form (signals reach node)');
  assert.ok(!runtime.some((i) => i.op === 'COPY' && /\bsrc\b/.test(i.args)), 'no TypeScript sources in the runtime image');
  for (const i of ins.filter((x) => x.op === 'ENV' || x.op === 'ARG')) {
    assert.doesNotMatch(i.args, /(SECRET|INTAKE_KEY|PASSWORD|TOKEN)\s*=/i, `no secret in ${i.op} ${i.args}`);
  }
  const ignore = read('.dockerignore').split('\n');
  for (const path of ['node_modules', 'data', '.git']) assert.ok(ignore.includes(path), `.dockerignore lists ${path}`);
});

test('compose example: collectors share PostgreSQL, secrets from files; its config file is a valid configuration', () => {
  const compose = parseYaml(read('deploy/compose.yaml')) as { services: Record<string, Record<string, unknown>> };
  assert.ok(compose.services.postgres, 'a PostgreSQL service');
  assert.ok(compose.services['collector-1'] && compose.services['collector-2'], 'two collectors');
  assert.doesNotMatch(read('deploy/compose.yaml'), /(PASSWORD|SECRET|KEY):\s*[A-Za-z0-9]{6,}\s*$/m, 'no literal secret');

  const secrets = mkdtempSync(join(tmpdir(), 'o365-secrets-'));
  for (const name of ['o365_client_secret', 'sekoia_intake_key']) writeFileSync(join(secrets, name), `${name}-value\n`);
  const configFile = join(secrets, 'config.yaml');
  writeFileSync(configFile, read('deploy/config.example.yaml').replaceAll('/run/secrets/', `${secrets}/`));
  const config = loadConfig(configFile, { SCALE_OUT_NODE_ID: 'collector-1' });
  assert.equal(config.tenants.length, 2);
  assert.equal(config.tenants[1]?.client_secret?.reveal(), 'o365_client_secret-value');
  assert.equal(config.scale_out.node_id, 'collector-1');
  assert.ok(config.state.startsWith('postgres://'));
});

test('systemd unit: hardened, dynamic user, private state directory, no restart loop on a config error', () => {
  const unit = read('deploy/o365-intake.service');
  const has = (line: string) => assert.ok(unit.split('\n').includes(line), `unit has ${line}`);
  for (const line of [
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'DynamicUser=yes',
    'StateDirectoryMode=0700',
    'UMask=0077',
    'RestartPreventExitStatus=2',
    'CapabilityBoundingSet=',
  ])
    has(line);
  assert.match(unit, /^ExecStart=.*o365-intake run -c /m);
});
