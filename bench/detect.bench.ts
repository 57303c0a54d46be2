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
    .map(
      (f) =>
        JSON.parse(
          (JSON.parse(readFileSync(new URL(f, FIXTURES), 'utf8')) as { input: { message: string } }).input.message,
        ) as AuditRecord,
    );
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
const { rules, filters, errors } = loadRules([bundledRulesDir()]);
if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
const CHUNK = 10_000;

function toEvent(raw: AuditRecord, i: number): DetectableEvent {
  const ecs = normalize(raw);
  return { id: `t${i % 3}:${String(raw.Id)}`, tenantId: `t${i % 3}`, time: Date.parse(String(ecs['@timestamp'])), ecs, raw };
}

/**
 * One pass over the corpus in chunks (so the heap holds one chunk of normalized events, as a pipeline would):
 * per chunk, times normalize() alone (baseline), then builds the events untimed and times the detector on them.
 */
function pass(): { base: number; det: number; alerts: number; groups: number } {
  const detector = createDetector({ rules, filters });
  let base = 0;
  let det = 0;
  let alerts = 0;
  let n = 0;
  for (let from = 0; from < records.length; from += CHUNK) {
    const chunk = records.slice(from, from + CHUNK);
    base += time(() => {
      for (const r of chunk) n += Object.keys(normalize(r)).length;
    });
    const events = chunk.map((r, i) => toEvent(r, from + i));
    det += time(() => {
      for (const e of events) alerts += detector.process(e).length;
    });
  }
  if (n < 0) throw new Error('unreachable');
  return { base, det, alerts, groups: detector.stats().correlation.groups };
}

pass();
let best = pass();
for (let round = 0; round < 2; round++) {
  const r = pass();
  if (r.det < best.det) best = { ...r, base: Math.min(r.base, best.base) };
  else best.base = Math.min(r.base, best.base);
}
const rss = process.resourceUsage().maxRSS / 1024;
const correlations = rules.filter((r) => r.kind === 'correlation').length;
console.log(
  `Events: ${COUNT.toLocaleString('en')} (from ${templates.length} fixture templates, 500 users, 3 tenants, fed in chunks of ${CHUNK.toLocaleString('en')}); rules: ${rules.length} (${correlations} correlations); regex engine: ${regexEngine}\n`,
);
console.log('| Stage | events/s | ratio |');
console.log('|---|---:|---:|');
console.log(`| baseline: normalize() | ${Math.round(COUNT / best.base).toLocaleString('en')} | 1.00 |`);
console.log(
  `| detect: whole bundled rule set | ${Math.round(COUNT / best.det).toLocaleString('en')} | ${(best.base / best.det).toFixed(2)} |`,
);
console.log(`\nAlerts per pass: ${best.alerts}; correlation groups at end: ${best.groups}; peak RSS: ${rss.toFixed(0)} MiB`);
