export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** A detection: one Sigma rule (or correlation rule) matched one or more events of one tenant. */
export interface Alert {
  /** Unique and stable for the same rule + events (so a replay does not create a second alert). */
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
  /** Ids (`${tenantId}:${record Id}`) of the matched events. */
  eventIds: string[];
  /** Set for correlation rules: the group-by values that formed the group. */
  groupBy?: Record<string, string>;
}
