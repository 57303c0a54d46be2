#!/usr/bin/env node
// Where the time went in a `node --cpu-prof` profile of the collector, by pipeline stage: each sample's self time goes
// to the first stage found walking up its stack from the leaf (so `fdatasync` called by the file sink counts as the
// file sink, a JSON.parse called by the blob parser as the parse). Idle excluded. Percentages of busy time.
// Frames in the bundle (dist/bundle/, what bin/ runs) are read through its source maps, so they count for the stage of
// the source they came from. Usage: node scripts/cpu-profile-stages.mjs file.cpuprofile [more.cpuprofile…]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const STAGES = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['start-up: module loading', (f) => /^node:internal\/modules\//.test(f.url) || f.functionName === 'compileFunction'],
  ['state store (dedup ids, checkpoint)', (f) => /\/state\/|better-sqlite3/.test(f.url)],
  ['file sink (stringify, write, fsync)', (f) => /\/sinks\/file/.test(f.url)],
  ['embedded store insert', (f) => /\/(dist|src)\/store\//.test(f.url)],
  ['detection', (f) => /\/(dist|src)\/detect\//.test(f.url)],
  ['normalize / GeoIP', (f) => /\/(dist|src)\/(normalize|enrich)\//.test(f.url) || /maxmind|mmdb/.test(f.url)],
  ['blob JSON parse', (f) => /blob-records|record-splitter/.test(f.url)],
  ['tokens (MSAL)', (f) => /@azure\/msal/.test(f.url)],
  ['HTTP + TLS I/O', (f) => /undici|^node:(net|tls|_tls|internal\/tls|internal\/stream_base)|management-api/.test(f.url)],
  ['metrics + logs', (f) => /prom-client|pino|\/observability\//.test(f.url)],
  ['config (yaml, zod)', (f) => /npm:?yaml|node_modules\/(yaml|zod)\/|\/config\//.test(f.url)],
  ['collector + pipeline code', (f) => /\/(dist|src)\/(collector|pipeline|core|app)\//.test(f.url)],
];

const sourceMaps = new Map();
/** The URL of the source a frame of a bundled file came from (its own URL when it has no source map). */
function originalUrl(frame) {
  if (!frame.url.startsWith('file:') || !frame.url.endsWith('.js')) return frame.url;
  if (!sourceMaps.has(frame.url)) {
    const mapFile = `${fileURLToPath(frame.url)}.map`;
    sourceMaps.set(frame.url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  const entry = sourceMaps.get(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber);
  return entry?.originalSource ? new URL(entry.originalSource, frame.url).href : frame.url;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: cpu-profile-stages.mjs <file.cpuprofile>…');
  process.exit(2);
}
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageOf = new Map();
  const stage = (id) => {
    if (stageOf.has(id)) return stageOf.get(id);
    const { callFrame } = byId.get(id);
    const frame = { ...callFrame, url: originalUrl(callFrame) };
    const own = STAGES.find(([, match]) => match(frame))?.[0];
    const up = parent.get(id);
    const found = own ?? (up === undefined ? 'other' : stage(up));
    stageOf.set(id, found);
    return found;
  };
  const totals = new Map();
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    if (byId.get(id).callFrame.functionName === '(idle)') continue;
    const us = profile.timeDeltas[i] ?? 0;
    const name = stage(id);
    totals.set(name, (totals.get(name) ?? 0) + us);
    busy += us;
  }
  console.log(`${file}: busy ${(busy / 1e6).toFixed(2)} s`);
  for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1]))
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2).padStart(6)} s  ${name}`);
}
