#!/usr/bin/env node
// Runs the compiled CLI (dist/bundle/, made by `npm run build`, which `npm ci` runs). In a source clone with no build, or with
// O365_INTAKE_FROM_SOURCE=1 (tests, development), it runs the TypeScript sources through tsx instead.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/bundle/main.js', import.meta.url);
if (existsSync(compiled) && !process.env.O365_INTAKE_FROM_SOURCE) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
