import type { EventSummary } from '../../store/types.ts';
import { entityKey } from '../alert-entity.ts';
import type { AlertGroup, AlertRow } from '../alerts-overview.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Params } from '../query-params.ts';
import { alertsTable } from './alerts-page.ts';
import { levelBadge } from './badges.ts';
import { formatCount, timeTag } from './format.ts';
import { eventsTable } from './events-page.ts';
import { layout } from './layout.ts';
import { triageForm } from './triage-controls.ts';

export interface AlertGroupPageModel {
  params: Params;
  group: AlertGroup;
  rows: AlertRow[];
  /** The events the group's alerts cite, newest first. */
  events: EventSummary[];
  /** Cited events no longer (or not yet) in the store. */
  missing: number;
  csrf: string;
  self: string;
}

export function alertGroupPage(model: AlertGroupPageModel): SafeHtml {
  const { group } = model;
  const entity = group.entity ? entityKey(group.entity) : 'no entity';
  return layout(
    `${group.title} · ${entity}`,
    'alerts',
    html`
<p class="crumbs"><a href="/alerts">Alerts</a> / <span class="mono">${group.ruleId}</span> / <span class="mono">${entity}</span></p>
<h1 class="alert-title sev-${group.level}">${levelBadge(group.level)} ${group.title} <span class="muted">· ${entity}</span></h1>
<dl class="facts">
  <div><dt>Alerts</dt><dd class="num">${formatCount(group.count)}</dd></div>
  <div><dt>First seen</dt><dd class="mono">${timeTag(group.firstSeen)}</dd></div>
  <div><dt>Last seen</dt><dd class="mono">${timeTag(group.lastSeen)}</dd></div>
  <div><dt>Tenants</dt><dd>${group.tenants.join(', ')}</dd></div>
</dl>
<h2>Alerts</h2>
${triageForm(model.csrf, model.self, { bulk: true })}
${alertsTable(model.rows, model.params)}
<h2>Matching events (${formatCount(model.events.length)})</h2>
${eventsTable(model.events, {})}
${model.missing > 0 ? html`<p class="muted">${formatCount(model.missing)} cited events are no longer (or not yet) in the store.</p>` : ''}`,
  );
}
