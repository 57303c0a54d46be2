// Summarizes a memory-probe.mjs file: the sample at the RSS peak (RSS split into V8 heap by space, other anonymous memory
// = native: malloc, undici/TLS buffers, SQLite page cache, wasm…; file-backed pages by mapping) and the largest value of
// each figure over the run. Usage: node bench/support/memory-report.mjs <probe file> [until ms] (samples up to that time
// only, e.g. before a heap snapshot, whose writing takes memory of its own)
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: memory-report.mjs <probe file>');
const samples = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l))
  .filter((s) => s.rss && s.t <= Number(process.argv[3] ?? Number.POSITIVE_INFINITY));
const mb = (b) => (b / 1048576).toFixed(1);
const peak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
const withMappings = samples.filter((s) => s.mappings && s.t <= peak.t).at(-1);
const v8Committed = Object.values(peak.spaces).reduce((a, b) => a + b, 0);

console.log(`${samples.length} samples over ${(samples.at(-1).t / 1000).toFixed(1)} s; VmHWM ${mb(samples.at(-1).hwm)} MB`);
console.log(`peak sample at ${(peak.t / 1000).toFixed(2)} s: RSS ${mb(peak.rss)} MB`);
console.log(`  anonymous ${mb(peak.anon)} MB, file-backed ${mb(peak.file)} MB, shmem ${mb(peak.shmem)} MB`);
console.log(`  V8 heap committed (physical) ${mb(v8Committed)} MB, heapUsed ${mb(peak.heapUsed)} MB`);
for (const [space, bytes] of Object.entries(peak.spaces)) if (bytes > 0) console.log(`    ${space} ${mb(bytes)} MB`);
console.log(`  anonymous outside the V8 heap ${mb(peak.anon - v8Committed)} MB`);
console.log(`  external ${mb(peak.external)} MB (arrayBuffers ${mb(peak.arrayBuffers)} MB)`);
if (withMappings) {
  console.log(`mappings at ${(withMappings.t / 1000).toFixed(2)} s (RSS ${mb(withMappings.rss)} MB):`);
  const { large, ...groups } = withMappings.mappings;
  const rows = Object.entries(groups).sort((a, b) => b[1] - a[1]);
  for (const [group, bytes] of rows) if (bytes >= 262144) console.log(`    ${group} ${mb(bytes)} MB`);
  console.log(`  anonymous mappings ≥ 1 MB resident (size:resident MB): ${large.join(' ')}`);
}
const max = (f) => mb(Math.max(...samples.map(f)));
console.log(
  `max over the run: heapTotal ${max((s) => s.heapTotal)} MB, heapUsed ${max((s) => s.heapUsed)} MB, new space ${max(
    (s) => s.spaces.new_space ?? 0,
  )} MB, old space ${max((s) => s.spaces.old_space ?? 0)} MB, large objects ${max(
    (s) => s.spaces.large_object_space ?? 0,
  )} MB, external ${max((s) => s.external)} MB, anonymous ${max((s) => s.anon)} MB, anon − V8 ${max(
    (s) => s.anon - Object.values(s.spaces).reduce((a, b) => a + b, 0),
  )} MB, file-backed ${max((s) => s.file)} MB`,
);
