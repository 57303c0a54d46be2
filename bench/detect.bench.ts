// Detection throughput: the whole bundled rule set (single-event rules and correlations) evaluated on normalized
// events, against a baseline of normalize() on the same records measured in the same run. The corpus is built from
// the intake-o365 fixture inputs with varied Ids, times, IPs and users (500 users, one event per second).
// Run: node --import tsx bench/detect.bench.ts [events]
import { readdirSync, readFileSync } from 'node:fs';
import type { AuditRecord } from '../src/core/audit-record.ts';
import { createDetector, bundledRulesDir, loadRules, regexEngine, type DetectableEvent } from '../src/detect/index.ts';
import { normalize } from '../src/normalize/index.ts';

const COUNT = Number(process.argv[2] ?? 100_000);
const FIXTURES = new URL('../../shared/fixtures/intake-o365/', import.meta.url);

function loadTemplates(): AuditRecord[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse((JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as { input: { message: string } }).input.message) as AuditRecord);
}

function variant(template: AuditRecord, i: number): AuditRecord {
  const r: AuditRecord = { ...template };
  r.Id = `bench-${i}`;
  r.CreationTime = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString().slice(0, 19);
  if (typeof r.ClientIP === 'string' && r.ClientIP !== '') r.ClientIP = `198.51.${(i >> 8) % 256}.${i % 256}`;
  if (typeof r.UserId === 'string') r.UserId = `user${i % 500}@contoso.example`;
  return r;
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const templates = loadTemplates();
const records = Array.from({ length: COUNT }, (_, i) => variant(templates[i % templates.length]!, i));
const events: DetectableEvent[] = records.map((raw) => {
  const ecs = normalize(raw);
  return { id: `t1:${String(raw.Id)}`, tenantId: `t${Number(String(raw.Id).slice(6)) % 3}`, time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
});
const { rules, filters, errors } = loadRules([bundledRulesDir()]);
if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));

function baseline(): number {
  let n = 0;
  return time(() => {
    for (const r of records) n += Object.keys(normalize(r)).length;
    if (n < 0) throw new Error('unreachable');
  });
}

let alerts = 0;
let groups = 0;
function detect(): number {
  const detector = createDetector({ rules, filters });
  // Fresh event objects: per-event lookup caches must not carry over between rounds.
  const fresh = events.map((e) => ({ ...e }));
  const seconds = time(() => {
    alerts = 0;
    for (const e of fresh) alerts += detector.process(e).length;
  });
  groups = detector.stats().correlation.groups;
  return seconds;
}

baseline();
detect();
let base = Infinity;
let det = Infinity;
for (let round = 0; round < 3; round++) {
  base = Math.min(base, baseline());
  det = Math.min(det, detect());
}
const rss = process.resourceUsage().maxRSS / 1024;
const correlations = rules.filter((r) => r.kind === 'correlation').length;
console.log(`Events: ${COUNT.toLocaleString('en')} (from ${templates.length} fixture templates, 500 users, 3 tenants); rules: ${rules.length} (${correlations} correlations); regex engine: ${regexEngine}\n`);
console.log('| Stage | events/s | ratio |');
console.log('|---|---:|---:|');
console.log(`| baseline: normalize() | ${Math.round(COUNT / base).toLocaleString('en')} | 1.00 |`);
console.log(`| detect: whole bundled rule set | ${Math.round(COUNT / det).toLocaleString('en')} | ${(base / det).toFixed(2)} |`);
console.log(`\nAlerts per run: ${alerts}; correlation groups at end: ${groups}; peak RSS: ${rss.toFixed(0)} MiB`);
