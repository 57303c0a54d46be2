#!/usr/bin/env node
// npm run build: compiles src/ to dist/ with tsc, copies the files the code reads at run time (rules, page assets…),
// then bundles the CLI into dist/bundle/ (scripts/bundle.mjs), which bin/o365-intake.mjs runs.
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');
const dist = join(root, 'dist');
const isRuntimeAsset = (name) => !name.endsWith('.ts') && name !== 'README.md';
const isTestOnly = (path) => /(^|\/)(testing|test-support)(\/|$)/.test(path);

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const res = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (res.status !== 0) process.exit(res.status ?? 1);

let copied = 0;
(function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(src, path);
    if (isTestOnly(rel)) continue;
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (isRuntimeAsset(name)) {
      cpSync(path, join(dist, rel));
      copied += 1;
    }
  }
})(src);
const bundled = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
console.log(`dist/ built (${copied} asset files copied, CLI bundled in dist/bundle/)`);
