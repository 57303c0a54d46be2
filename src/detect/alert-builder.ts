import { createHash } from 'node:crypto';
import type { Alert } from '../core/alert.ts';
import type { RuleMeta } from './types.ts';

/** Most event ids an alert lists: beyond it, a correlation over thousands of events keeps the first 1000 in sorted order. */
export const MAX_ALERT_EVENT_IDS = 1000;

export interface AlertInput {
  rule: RuleMeta;
  tenantId: string;
  tenantName?: string | undefined;
  /** Event time of the last matched event (epoch ms). */
  time: number;
  eventIds: string[];
  groupBy?: Record<string, string>;
  createdAt: number;
}

/** Builds an Alert whose id depends only on the rule id and the matched event ids (replays give the same id). */
export function buildAlert(input: AlertInput): Alert {
  const eventIds = [...new Set(input.eventIds)].sort().slice(0, MAX_ALERT_EVENT_IDS);
  const { rule } = input;
  const alert: Alert = {
    id: alertId(rule.id, eventIds),
    ruleId: rule.id,
    title: rule.title,
    level: rule.level,
    tags: rule.tags,
    attack: attackTechniques(rule.tags),
    tenantId: input.tenantId,
    time: input.time,
    createdAt: input.createdAt,
    eventIds,
  };
  if (rule.description) alert.description = rule.description;
  if (rule.author) alert.author = rule.author;
  if (input.tenantName) alert.tenantName = input.tenantName;
  if (input.groupBy) alert.groupBy = input.groupBy;
  return alert;
}

export function alertId(ruleId: string, sortedEventIds: string[]): string {
  const hash = createHash('sha256').update(ruleId);
  for (const id of sortedEventIds) hash.update('\n').update(id);
  return hash.digest('hex').slice(0, 32);
}

/** `attack.t1098.003` → `T1098.003`; other tags (tactics, cve, detection.*) are skipped. */
export function attackTechniques(tags: string[]): string[] {
  const out = tags.flatMap((tag) => {
    const m = /^attack\.(t\d{4}(?:\.\d{3})?)$/i.exec(tag);
    return m ? [m[1]!.toUpperCase()] : [];
  });
  return [...new Set(out)];
}
