export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** What an alert is about: the user, address, mailbox, application or host a person investigates. */
export interface AlertEntity {
  kind: 'user' | 'ip' | 'mailbox' | 'app' | 'host' | (string & {});
  value: string;
}

/**
 * A detection: one Sigma rule (or correlation rule) matched one or more events of one tenant.
 * Repeated firings of one rule on one entity within the grouping window are one alert: it is raised again with the
 * same `id` and a higher `count`, so consumers keep the latest version of each id (upsert).
 */
export interface Alert {
  /** Stable for the same rule, tenant, entity and grouping window (a replay or a repeat does not create a second alert). */
  id: string;
  ruleId: string;
  title: string;
  level: AlertLevel;
  description?: string;
  author?: string;
  /** Sigma tags as written in the rule (e.g. `attack.persistence`, `attack.t1098`). */
  tags: string[];
  /** ATT&CK technique ids taken from the tags (e.g. `T1098`). */
  attack: string[];
  tenantId: string;
  tenantName?: string;
  /** Event time (epoch ms) of the last matched event. */
  time: number;
  /** When the alert was raised (epoch ms). */
  createdAt: number;
  /** Ids (`${tenantId}:${record Id}`) of the events that made the rule fire (every firing of the group). */
  eventIds: string[];
  /** Set for correlation rules: the group-by values that formed the group. */
  groupBy?: Record<string, string>;
  /** The entity the alert is about, when the rule's group-by or the event names one. */
  entity?: AlertEntity;
  /** How many times the rule fired on this entity within the grouping window (1 for a single firing; set by the detector). */
  count?: number;
  /** Event time of the first and last firing grouped in this alert (epoch ms). */
  firstSeen?: number;
  lastSeen?: number;
}
