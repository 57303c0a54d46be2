import type { Alert } from '../core/alert.ts';
import type { AlertTriage } from '../store/analyst/alert-triage.ts';
import type { EventStore } from '../store/event-store.ts';

export interface Entity {
  kind: string;
  value: string;
}

/** `user:alice@contoso.com`: how an entity is written in links and filters. */
export function entityKey(entity: Entity | undefined): string {
  return entity ? `${entity.kind}:${entity.value}` : '';
}

/** The entity named by the alert itself: its `entity`, else its group-by values. */
export function declaredEntity(alert: Alert): Entity | undefined {
  if (alert.entity?.value) return alert.entity;
  const groupBy = Object.entries(alert.groupBy ?? {}).filter(([, v]) => v !== '');
  if (groupBy.length === 0) return undefined;
  return { kind: groupBy.map(([k]) => k).join('+'), value: groupBy.map(([, v]) => v).join(' / ') };
}

/**
 * The entity of each alert: declared by the alert, else the user (or source IP) of its first event. Those derived
 * from events are remembered, so an alert's first event is read once, not at every page view.
 */
export async function entitiesOf(
  alerts: readonly Alert[],
  store: EventStore,
  triage: AlertTriage,
): Promise<Map<string, Entity | undefined>> {
  const out = new Map<string, Entity | undefined>();
  const undeclared: Alert[] = [];
  for (const alert of alerts) {
    const declared = declaredEntity(alert);
    if (declared) out.set(alert.id, declared);
    else undeclared.push(alert);
  }
  const cached = await triage.cachedEntities(undeclared.map((a) => a.id));
  for (const alert of undeclared) {
    let entity = cached.get(alert.id);
    if (!entity && alert.eventIds[0]) {
      const event = await store.getEvent(alert.eventIds[0]);
      if (event?.user) entity = { kind: 'user', value: event.user };
      else if (event?.sourceIp) entity = { kind: 'ip', value: event.sourceIp };
      if (entity) await triage.cacheEntity(alert.id, entity);
    }
    out.set(alert.id, entity);
  }
  return out;
}
