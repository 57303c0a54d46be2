import { ALERT_LEVELS, type Alert, type AlertLevel } from '../core/alert.ts';
import type { AlertQuery } from '../store/alert-query.ts';
import { ALERT_STATUSES, type AlertState, type AlertStatus, parseStatus } from '../store/analyst/alert-triage.ts';
import type { AnalystStore } from '../store/analyst/analyst-store.ts';
import type { EventStore } from '../store/event-store.ts';
import { type Entity, entitiesOf, entityKey } from './alert-entity.ts';
import { WebQueryError } from './errors.ts';

/** Alerts read per overview: beyond it the page says the counts cover the newest SCAN_CAP alerts only. */
export const SCAN_CAP = 20_000;
const PAGE = 500;

export interface TriageFilter {
  status?: AlertStatus;
  /** `kind:value`, or a bare value matched against any kind (case-insensitive). */
  entity?: string;
  /** An assignee name, or `-` for unassigned. */
  assignee?: string;
}

export interface AlertRow {
  alert: Alert;
  state: AlertState;
  entity?: Entity;
}

/** One rule × entity: every alert it raised about that entity. */
export interface AlertGroup {
  ruleId: string;
  title: string;
  level: AlertLevel;
  entity?: Entity;
  /** Alerts in the group. */
  count: number;
  /** Times the rule fired on the entity: an alert may stand for several firings (its `count`). */
  firings: number;
  firstSeen: number;
  lastSeen: number;
  tenants: string[];
  byStatus: Record<AlertStatus, number>;
  alertIds: string[];
}

export interface AlertsOverview {
  /** Newest first. */
  rows: AlertRow[];
  /** Newest last-seen first. */
  groups: AlertGroup[];
  /** Over the alerts matching every filter but the status one, so each status tab shows its own count. */
  byStatus: Record<AlertStatus, number>;
  /** Alerts read; `capped` when more exist than SCAN_CAP. */
  scanned: number;
  capped: boolean;
}

export function triageFilterOf(params: Record<string, string>): TriageFilter {
  let status: AlertStatus | undefined;
  if (params.status) {
    try {
      status = parseStatus(params.status);
    } catch {
      throw new WebQueryError('status', `must be one of ${ALERT_STATUSES.join(', ')}`);
    }
  }
  return {
    ...(status ? { status } : {}),
    ...(params.entity ? { entity: params.entity } : {}),
    ...(params.assignee ? { assignee: params.assignee } : {}),
  };
}

function entityMatches(entity: Entity | undefined, wanted: string): boolean {
  if (!entity) return false;
  const w = wanted.toLowerCase();
  return entityKey(entity).toLowerCase() === w || entity.value.toLowerCase() === w;
}

function emptyCounts(): Record<AlertStatus, number> {
  return { new: 0, acknowledged: 0, closed: 0 };
}

function groupsOf(rows: readonly AlertRow[]): AlertGroup[] {
  const groups = new Map<string, AlertGroup>();
  for (const { alert, state, entity } of rows) {
    const key = `${alert.ruleId}\u0000${entityKey(entity)}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        ruleId: alert.ruleId,
        title: alert.title,
        level: alert.level,
        ...(entity ? { entity } : {}),
        count: 0,
        firings: 0,
        firstSeen: alert.firstSeen ?? alert.time,
        lastSeen: alert.lastSeen ?? alert.time,
        tenants: [],
        byStatus: emptyCounts(),
        alertIds: [],
      };
      groups.set(key, group);
    }
    group.count++;
    group.firings += alert.count ?? 1;
    group.firstSeen = Math.min(group.firstSeen, alert.firstSeen ?? alert.time);
    group.lastSeen = Math.max(group.lastSeen, alert.lastSeen ?? alert.time);
    if (ALERT_LEVELS.indexOf(alert.level) > ALERT_LEVELS.indexOf(group.level)) group.level = alert.level;
    const tenant = alert.tenantName ?? alert.tenantId;
    if (!group.tenants.includes(tenant)) group.tenants.push(tenant);
    group.byStatus[state.status]++;
    group.alertIds.push(alert.id);
  }
  return [...groups.values()].sort((a, b) => b.lastSeen - a.lastSeen);
}

/** The newest alerts matching the store query (up to SCAN_CAP). */
async function scanAlerts(store: EventStore, query: AlertQuery): Promise<{ alerts: Alert[]; capped: boolean }> {
  const alerts: Alert[] = [];
  let cursor: string | undefined;
  while (alerts.length < SCAN_CAP) {
    const page = await store.listAlerts({ ...query, limit: PAGE, ...(cursor ? { cursor } : {}) });
    alerts.push(...page.alerts);
    if (!page.nextCursor) return { alerts, capped: false };
    cursor = page.nextCursor;
  }
  return { alerts: alerts.slice(0, SCAN_CAP), capped: true };
}

/** Alerts with their triage state and entity, filtered, counted per status and grouped by rule × entity. */
export async function alertsOverview(
  store: EventStore,
  analyst: AnalystStore,
  query: AlertQuery,
  filter: TriageFilter,
): Promise<AlertsOverview> {
  const { cursor: _cursor, limit: _limit, ...storeQuery } = query;
  const { alerts, capped } = await scanAlerts(store, storeQuery);
  const states = await analyst.triage.states(alerts.map((a) => a.id));
  const entities = await entitiesOf(alerts, store, analyst.triage);
  const byStatus = emptyCounts();
  const rows: AlertRow[] = [];
  for (const alert of alerts) {
    const state = states.get(alert.id)!;
    const entity = entities.get(alert.id);
    if (filter.entity && !entityMatches(entity, filter.entity)) continue;
    if (
      filter.assignee &&
      (filter.assignee === '-' ? state.assignee : state.assignee?.toLowerCase() !== filter.assignee.toLowerCase())
    )
      continue;
    byStatus[state.status]++;
    if (filter.status && state.status !== filter.status) continue;
    rows.push({ alert, state, ...(entity ? { entity } : {}) });
  }
  return { rows, groups: groupsOf(rows), byStatus, scanned: alerts.length, capped };
}
