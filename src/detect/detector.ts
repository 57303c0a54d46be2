import type { Alert } from '../core/alert.ts';
import type { DetectionStateRow, DetectionStateSource } from '../core/detection-state.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { AlertGrouper } from './alert-grouper.ts';
import { CorrelationEngine, type CorrelationStats, type Signal } from './correlation-engine.ts';
import { entityOfEvent, entityOfGroup } from './entity.ts';
import { FiringSerial } from './firing-serial.ts';
import { RuleError } from './errors.ts';
import { detectMetrics } from './metrics.ts';
import { RuleIndex } from './rule-index.ts';
import type { CorrelationRule, DetectableEvent, DetectionRule, FilterRule, LoadedRule } from './types.ts';

export interface DetectorOptions {
  rules: LoadedRule[];
  /** Sigma filter documents (tuning): `rule AND NOT filter`, optionally limited to some tenants. */
  filters?: FilterRule[];
  logger?: Logger;
  /** Most correlation groups held in memory, and most alert groups (default 100 000 each). */
  maxGroups?: number;
  /** Most matches kept per correlation group (default 10 000). */
  maxEntriesPerGroup?: number;
  /** Correlation groups whose running window counts are kept between matches (default 4096; the others rebuild theirs). */
  maxRunningCounts?: number;
  /** How far behind its tenant's newest event a record may be and still correlate (ms, default 24 h). */
  allowedLatenessMs?: number;
  /** Repeated alerts of one rule on one entity within this window of event time are one alert (ms, default 1 h; 0: off). */
  alertGroupingMs?: number;
  /** Clock for `Alert.createdAt` (default Date.now). */
  now?: () => number;
}

export interface DetectorStats {
  events: number;
  alerts: number;
  /** Matches removed by a filter. */
  filtered: number;
  /** Rule evaluations that threw (the rule is skipped for that event). */
  ruleFailures: number;
  /** Records older than their tenant's watermark (newest event time minus the allowed lateness). */
  lateEvents: number;
  rules: number;
  correlation: CorrelationStats;
  /** Open alert groups. */
  alertGroups: number;
  /** Matches per rule id. */
  matches: Record<string, number>;
}

export interface Detector extends DetectionStateSource {
  /** Evaluates one event; returns the alerts it raises (single-event rules and correlations it completes). */
  process(event: DetectableEvent): Alert[];
  /**
   * Decides the correlation windows each tenant's watermark (event time) has passed and drops expired state.
   * The wall clock plays no part: state of a tenant that sends nothing stays until its data moves on.
   */
  flush(): Alert[];
  stats(): DetectorStats;
  /** Undoes every change since the last `stateCommitted` (the batch that made them is delivered again). */
  rollback(): void;
  /** Loads the state committed by an earlier run, and from then on tracks changes for commits; call before the first event. */
  restore(rows: DetectionStateRow[]): void;
  /**
   * Scale-out: a tenant moved to another worker. Drops its state from memory without writing anything (the stored
   * state is the new owner's now); `restore` its rows again when the tenant comes back.
   */
  forgetTenant(tenantId: string): void;
  /** Rules that cannot run (a correlation referencing an unknown rule, a filter naming no rule …). */
  readonly problems: RuleError[];
}

const SWEEP_EVERY = 4096;
const MAX_CHAIN_DEPTH = 8;

export function createDetector(opts: DetectorOptions): Detector {
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const maxGroups = opts.maxGroups ?? 100_000;
  const problems: RuleError[] = [];

  const byKey = new Map<string, LoadedRule>();
  // What a correlation may reference a rule by: its id and its name.
  const ruleKeys = new Map<LoadedRule, string[]>();
  for (const rule of opts.rules) {
    byKey.set(rule.id, rule);
    if (rule.name) byKey.set(rule.name, rule);
    ruleKeys.set(rule, rule.name ? [rule.id, rule.name] : [rule.id]);
  }
  // Which correlations each rule feeds, and whether it still raises its own alerts.
  const consumers = new Map<string, CorrelationRule[]>();
  const silenced = new Set<string>();
  const generated = new Set<string>();
  const runnable: CorrelationRule[] = [];
  for (const rule of opts.rules) {
    if (rule.kind !== 'correlation') continue;
    const missing = rule.rules.filter((ref) => !byKey.has(ref));
    if (missing.length > 0) {
      problems.push(new RuleError(rule.file, `correlation references unknown rule(s): ${missing.join(', ')}`, rule.id));
      continue;
    }
    if (dependsOn(rule, rule.id, byKey, new Set())) {
      problems.push(new RuleError(rule.file, 'correlation references itself (a cycle)', rule.id));
      continue;
    }
    runnable.push(rule);
    for (const ref of rule.rules) {
      const target = byKey.get(ref)!;
      const list = consumers.get(target.id) ?? [];
      if (!list.includes(rule)) list.push(rule);
      consumers.set(target.id, list);
      // Sigma: rules referenced by a correlation (single-event rules and intermediate correlations of a chain) only
      // feed it, unless the correlation says `generate: true`.
      silenced.add(target.id);
      if (rule.generate) generated.add(target.id);
    }
  }
  const filtersByRule = new Map<string, FilterRule[]>();
  for (const filter of opts.filters ?? []) {
    const targets = filter.rules.filter((ref) => byKey.has(ref));
    if (targets.length === 0)
      problems.push(
        new RuleError(filter.file, `filter "${filter.title}" names no loaded rule (${filter.rules.join(', ')})`, filter.id),
      );
    for (const ref of targets) {
      const id = byKey.get(ref)!.id;
      filtersByRule.set(id, [...(filtersByRule.get(id) ?? []), filter]);
    }
  }
  for (const p of problems) logger.warn({ file: p.file, ruleId: p.ruleId }, p.message);

  // One numbering of firings for both: an alert group knows which firings it has received.
  const serial = new FiringSerial();
  const engine = new CorrelationEngine(
    runnable,
    {
      maxGroups,
      maxEntriesPerGroup: opts.maxEntriesPerGroup ?? 10_000,
      maxRunningCounts: opts.maxRunningCounts ?? 4096,
      allowedLatenessMs: opts.allowedLatenessMs ?? 24 * 3_600_000,
      onEvict: () => detectMetrics.evictedGroups.inc({ kind: 'correlation' }),
    },
    serial,
  );
  const grouper = new AlertGrouper(
    opts.alertGroupingMs ?? 3_600_000,
    maxGroups,
    () => detectMetrics.evictedGroups.inc({ kind: 'alert' }),
    serial,
  );
  const detections = opts.rules.filter((r): r is DetectionRule => r.kind === 'detection');
  const candidates = new RuleIndex(detections);
  const counters = { events: 0, alerts: 0, filtered: 0, ruleFailures: 0, lateEvents: 0 };
  const matches: Record<string, number> = {};
  const failingRules = new Set<string>();
  let sinceSweep = 0;

  function filteredOut(rule: DetectionRule, event: DetectableEvent): boolean {
    const filters = filtersByRule.get(rule.id);
    if (!filters) return false;
    return filters.some((f) => {
      if (
        f.tenants.length > 0 &&
        !f.tenants.includes(event.tenantId) &&
        !(event.tenantName && f.tenants.includes(event.tenantName))
      )
        return false;
      return f.match(event);
    });
  }

  function safeMatch(rule: DetectionRule, event: DetectableEvent): boolean {
    try {
      return rule.match(event);
    } catch (err) {
      counters.ruleFailures++;
      if (!failingRules.has(rule.id)) {
        failingRules.add(rule.id);
        logger.error(
          { ruleId: rule.id, file: rule.file, err: (err as Error).message },
          'detection rule failed on an event; the rule is skipped for such events',
        );
      }
      return false;
    }
  }

  function emit(rule: LoadedRule, signal: Signal, out: Alert[], depth: number): void {
    matches[rule.id] = (matches[rule.id] ?? 0) + 1;
    if (!silenced.has(rule.id) || generated.has(rule.id)) {
      const entity = rule.kind === 'correlation' ? entityOfGroup(signal.groupBy) : entityOfEvent(rule, signal.event);
      pushAlert(
        out,
        grouper.alert(
          {
            rule,
            tenantId: signal.tenantId,
            tenantName: signal.tenantName,
            time: signal.time,
            // Read only when needed: a correlation's firing lists its events on demand (a delta may be enough).
            get eventIds() {
              return signal.eventIds;
            },
            groupBy: rule.kind === 'correlation' ? signal.groupBy : undefined,
            entity,
            repeat: signal.repeat,
            key: rule.kind === 'correlation' ? signal.key : undefined,
            serial: signal.serial,
            delta: signal.delta,
          },
          now(),
        ),
      );
    }
    if (depth >= MAX_CHAIN_DEPTH) return;
    for (const correlation of consumers.get(rule.id) ?? []) {
      for (const firing of engine.add(correlation, signal)) emit(firing.rule, firing.signal, out, depth + 1);
    }
  }

  function sweep(out: Alert[]): void {
    for (const firing of engine.sweep()) emit(firing.rule, firing.signal, out, 1);
    grouper.sweep((tenantId) => engine.watermark(tenantId));
  }

  return {
    problems,
    process(event) {
      counters.events++;
      const watermark = engine.observe(event.tenantId, event.time);
      if (event.time < watermark) {
        counters.lateEvents++;
        detectMetrics.lateEvents.inc();
      }
      const out: Alert[] = [];
      for (const rule of candidates.for(event)) {
        if (!safeMatch(rule, event)) continue;
        if (filteredOut(rule, event)) {
          counters.filtered++;
          continue;
        }
        const signal: Signal = {
          ruleKeys: ruleKeys.get(rule)!,
          tenantId: event.tenantId,
          tenantName: event.tenantName,
          time: event.time,
          firstTime: event.time,
          key: event.id,
          eventIds: [event.id],
          event,
        };
        emit(rule, signal, out, 0);
      }
      // Amortised: a sweep visits every group, so it runs at most once per that many events, and only when event time moved.
      if (++sinceSweep >= Math.max(SWEEP_EVERY, engine.size) && engine.watermarkMoved()) {
        sinceSweep = 0;
        sweep(out);
      }
      counters.alerts += out.length;
      return out;
    },
    flush() {
      const out: Alert[] = [];
      sweep(out);
      counters.alerts += out.length;
      return out;
    },
    stats() {
      return {
        ...counters,
        rules: opts.rules.length,
        correlation: engine.stats(),
        alertGroups: grouper.size,
        matches: { ...matches },
      };
    },
    pendingState() {
      const a = engine.pendingState();
      const b = grouper.pendingState();
      return { upserts: [...a.upserts, ...b.upserts], deletes: [...a.deletes, ...b.deletes] };
    },
    stateCommitted() {
      engine.stateCommitted();
      grouper.stateCommitted();
    },
    rollback() {
      engine.rollback();
      grouper.rollback();
    },
    restore(rows) {
      engine.restore(rows);
      grouper.restore(rows);
    },
    forgetTenant(tenantId) {
      engine.forgetTenant(tenantId);
      grouper.forgetTenant(tenantId);
    },
  };
}

/** Adds an alert to what one call returns; an earlier version of the same alert in it is replaced (consumers upsert). */
function pushAlert(out: Alert[], alert: Alert): void {
  const at = out.findIndex((a) => a.id === alert.id);
  if (at < 0) out.push(alert);
  else out[at] = alert;
}

function dependsOn(rule: CorrelationRule, target: string, byKey: Map<string, LoadedRule>, seen: Set<string>): boolean {
  for (const ref of rule.rules) {
    const child = byKey.get(ref);
    if (child?.kind !== 'correlation') continue;
    if (child.id === target) return true;
    if (seen.has(child.id)) continue;
    seen.add(child.id);
    if (dependsOn(child, target, byKey, seen)) return true;
  }
  return false;
}
