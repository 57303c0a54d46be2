import type { Alert } from '../core/alert.ts';

/**
 * One version per alert id: a grouped alert raised again within one batch (same id, higher count) is delivered once, in
 * its latest version, at the place of that version. Consumers upsert by id, so the earlier versions add nothing.
 */
export function latestAlertVersions(alerts: readonly Alert[]): Alert[] {
  const last = new Map<string, number>();
  for (const [index, alert] of alerts.entries()) last.set(alert.id, index);
  if (last.size === alerts.length) return [...alerts];
  return alerts.filter((alert, index) => last.get(alert.id) === index);
}
