import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', timeout: 600_000 });

test('npm pack gives a package that installs in an empty folder and runs from dist/ without tsx', {
  timeout: 900_000,
}, async () => {
  const work = mkdtempSync(join(tmpdir(), 'o365-pack-'));
  npm(['pack', '--pack-destination', work], root);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');
  const listing = execFileSync('tar', ['-tzf', join(work, tarball)], { encoding: 'utf8' }).split('\n');
  assert.ok(listing.includes('package/dist/cli/main.js'), 'the compiled CLI is packed');
  assert.ok(listing.includes('package/dist/bundle/main.js'), 'the bundled CLI (what bin/ runs) is packed');
  assert.ok(listing.includes('package/dist/detect/rules/LICENSE.Detection.Rules.md'), 'runtime assets are packed');
  assert.ok(!listing.some((f) => f.startsWith('package/src/') || f.endsWith('.test.js')), 'no sources or tests packed');

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), '{"name":"pack-check","version":"1.0.0","private":true}');
  // Dependencies come from the registry as for any user. The two native addons (better-sqlite3, re2) would be compiled
  // from source here (no prebuilt download on this network), which takes minutes: their install scripts are skipped and
  // the addons this checkout built for the same Node.js are copied in instead.
  npm(['install', '--ignore-scripts', '--prefer-offline', join(work, tarball)], app);
  for (const addon of ['better-sqlite3', 're2']) {
    cpSync(join(root, 'node_modules', addon, 'build'), join(app, 'node_modules', addon, 'build'), { recursive: true });
  }
  const env = { ...process.env, O365_INTAKE_FROM_SOURCE: '' };
  const run = (args: string[], input?: string) =>
    spawnSync('npx', ['--no-install', 'o365-intake', ...args], { cwd: app, env, input, encoding: 'utf8', timeout: 120_000 });

  const v = run(['--version']);
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout.trim(), version);
  assert.ok(!readdirSync(join(app, 'node_modules')).includes('tsx'), 'tsx is not a runtime dependency');

  const record = {
    Id: 'p1',
    CreationTime: '2024-05-01T10:00:00',
    RecordType: 15,
    Operation: 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    UserId: 'eve@contoso.com',
  };
  const n = run(['normalize'], JSON.stringify(record));
  assert.equal(n.status, 0, n.stderr);
  assert.equal(JSON.parse(n.stdout.trim()).user.name, 'eve@contoso.com');

  const bad = run(['nomralize']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /unknown command 'nomralize'[\s\S]*Did you mean normalize\?/);
  await runsTheWholeProduct(app, env);
});

/**
 * `o365-intake run` of the installed package against its built-in emulator, with the store, detection and the web page
 * on: what the bundle loads lazily (rules, page assets, the store's query worker, chunks) is found where npm put it.
 */
async function runsTheWholeProduct(app: string, env: NodeJS.ProcessEnv): Promise<void> {
  const data = join(app, 'data');
  writeFileSync(
    join(app, 'config.yaml'),
    `data_dir: ${data}\nweb:\n  port: 0\nemulator:\n  seed: 7\n  tenants: 1\n  backfill: 20m\n  events_per_minute: 60\n` +
      `sinks:\n  - type: file\n    path: ${join(app, 'events.ndjson')}\n`,
  );
  const bin = join(app, 'node_modules/o365-intake/bin/o365-intake.mjs');
  const child = spawn(process.execPath, [bin, 'run', '-c', 'config.yaml', '--log-format', 'json'], {
    cwd: app,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const until = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 600; i++) {
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${what}: not seen; stderr: ${stderr.slice(-3000)}`);
  };
  try {
    const [, base, token] =
      (await until('the web page URL', async () => /Open (http:\/\/\S+?)\/\?token=(\S+)/.exec(stderr) ?? undefined)) ?? [];
    const auth = { authorization: `Bearer ${token}` };
    const css = await fetch(`${base}/static/app.css`);
    assert.equal(css.status, 200, 'a page asset is served');
    assert.ok((await css.text()).length > 100);
    const total = await until('stored events', async () => {
      const res = (await (await fetch(`${base}/api/events?limit=1`, { headers: auth })).json()) as { total: number };
      return res.total > 0 ? res.total : undefined;
    });
    assert.ok(total > 0, 'events are stored and searched (query worker)');
    await until('an alert from the bundled rules', async () => {
      const res = (await (await fetch(`${base}/api/alerts`, { headers: auth })).json()) as { alerts: unknown[] };
      return res.alerts.length > 0 ? true : undefined;
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
