#!/usr/bin/env node
// Where the time went in a `node --cpu-prof` profile: self time by source file (our files by path, dependencies by
// package, Node internals and GC by name), as percentages. Usage: node scripts/cpu-profile-summary.mjs file.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: cpu-profile-summary.mjs <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
}

function bucket(node) {
  const { url, functionName } = node.callFrame;
  if (!url) return `(${functionName || 'anonymous'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return url;
  const own = /\/(src|dist|bench)\/(.*)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

const totals = new Map();
let all = 0;
let idle = 0;
for (const [id, us] of selfUs) {
  const key = bucket(byId.get(id));
  if (key === '((idle))') {
    idle += us;
    continue;
  }
  totals.set(key, (totals.get(key) ?? 0) + us);
  all += us;
}
const top = Number(topArg ?? 25);
console.log(`busy: ${(all / 1e6).toFixed(2)} s (idle ${(idle / 1e6).toFixed(2)} s not counted); self time by file:`);
for (const [key, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * us) / all).toFixed(1).padStart(5)}%  ${key}`);
}
