import type { AlertLevel } from '../core/alert.ts';
import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';

/** What the engine evaluates: one normalized record with its raw form (a ProcessedEvent fits). */
export interface DetectableEvent {
  /** `${tenantId}:${record Id}`. */
  id: string;
  tenantId: string;
  tenantName?: string;
  /** Event time, epoch ms. */
  time: number;
  ecs: EcsDocument;
  raw: AuditRecord;
}

/** A compiled predicate over one event. */
export type EventPredicate = (event: DetectableEvent) => boolean;

/** Metadata shared by detection and correlation rules (what ends up in an Alert). */
export interface RuleMeta {
  id: string;
  name?: string;
  title: string;
  description?: string;
  author?: string;
  level: AlertLevel;
  tags: string[];
  status?: string;
  /** Sigma `fields`: the fields worth showing; the first one naming a user, address, mailbox… is the alert's entity. */
  fields?: string[];
  /** File the rule came from (for errors and the UI). */
  file: string;
}

/** A single-event Sigma rule. */
export interface DetectionRule extends RuleMeta {
  kind: 'detection';
  logsource: { product?: string; service?: string; category?: string };
  match: EventPredicate;
  /** When set, the rule can only match events whose `field` has one of `values` (lowercase): used to skip it early. */
  index?: { field: string; values: string[] };
  /**
   * The id of the Sigma v1 aggregation rule this rule is the search of (`<id>:search`): it is disabled and filtered
   * with that rule, whose id its alerts never carry.
   */
  searchOf?: string;
}

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'value_sum',
  'value_avg',
  'value_percentile',
  'temporal',
  'temporal_ordered',
] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

/** Bounds on a count; every set bound must hold. */
export interface CountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

/** A Sigma correlation rule (event_count, value_count, value_sum, value_avg, value_percentile, temporal, temporal_ordered). */
export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** Referenced rules, by id or name, in the order written (it matters for temporal_ordered). */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  /** Absent for temporal rules without a condition (then: all referenced rules). */
  condition?: CountCondition;
  /**
   * value_count: the field(s) whose distinct values (or value combinations) are counted; value_sum / value_avg /
   * value_percentile: the one field whose numbers are added up or whose values are ranked.
   */
  valueFields?: string[];
  /** alias name → (rule id or name → field of that rule's events). */
  aliases: Record<string, Record<string, string>>;
  generate: boolean;
}

/** A Sigma filter document: `rule AND NOT filter` for the rules it names. */
export interface FilterRule {
  kind: 'filter';
  id: string;
  title: string;
  file: string;
  /** Rule ids or names the filter applies to. */
  rules: string[];
  /** Project extension: tenant ids or names the filter is limited to (empty = every tenant). */
  tenants: string[];
  match: EventPredicate;
}

export type LoadedRule = DetectionRule | CorrelationRule;
