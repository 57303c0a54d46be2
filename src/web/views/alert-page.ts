import type { AlertComment, AlertState } from '../../store/analyst/alert-triage.ts';
import type { AuditEntry } from '../../store/analyst/audit-log.ts';
import type { AlertWithEvents } from '../../store/types.ts';
import { type Entity, entityKey } from '../alert-entity.ts';
import { html, type SafeHtml } from '../html.ts';
import { levelBadge } from './badges.ts';
import { eventsTable } from './events-page.ts';
import { timeTag } from './format.ts';
import { layout } from './layout.ts';
import { triageForm } from './triage-controls.ts';
import { auditList, commentsList, triageSummary } from './triage-history.ts';

export interface AlertPageModel extends AlertWithEvents {
  state: AlertState;
  entity?: Entity;
  comments: AlertComment[];
  history: AuditEntry[];
  csrf: string;
  self: string;
}

export function alertPage(model: AlertPageModel): SafeHtml {
  const { alert, events, missingEventIds, state, entity } = model;
  const groupBy = Object.entries(alert.groupBy ?? {});
  return layout(
    alert.title,
    'alerts',
    html`
<p class="crumbs"><a href="/alerts">Alerts</a> / <span class="mono">${alert.id}</span></p>
<h1 class="alert-title sev-${alert.level}">${levelBadge(alert.level)} ${alert.title}</h1>
${alert.description ? html`<p class="lead">${alert.description}</p>` : ''}
<div class="alert-layout">
<div>
<dl class="facts">
  <div><dt>Time</dt><dd class="mono">${timeTag(alert.time)}</dd></div>
  <div><dt>Raised</dt><dd class="mono">${timeTag(alert.createdAt)}</dd></div>
  ${(alert.count ?? 1) > 1 ? html`<div><dt>Firings</dt><dd class="mono">${alert.count} · ${timeTag(alert.firstSeen)} → ${timeTag(alert.lastSeen)}</dd></div>` : ''}
  <div><dt>Tenant</dt><dd>${alert.tenantName ?? ''} <span class="muted mono">${alert.tenantId}</span></dd></div>
  <div><dt>Rule</dt><dd class="mono"><a class="pivot" href="/alerts?rule=${encodeURIComponent(alert.ruleId)}">${alert.ruleId}</a></dd></div>
  <div><dt>Entity</dt><dd class="mono">${entity ? html`<a class="pivot" href="/alerts?entity=${encodeURIComponent(entityKey(entity))}">${entityKey(entity)}</a>` : '—'}</dd></div>
  <div><dt>ATT&amp;CK</dt><dd class="mono">${alert.attack.length ? alert.attack.map((t) => html`<a class="tag" href="https://attack.mitre.org/techniques/${t.replace('.', '/')}/" rel="noreferrer noopener" target="_blank">${t}</a> `) : '—'}</dd></div>
  <div><dt>Tags</dt><dd>${alert.tags.map((t) => html`<span class="tag">${t}</span> `)}</dd></div>
  ${alert.author ? html`<div><dt>Author</dt><dd>${alert.author}</dd></div>` : ''}
  ${groupBy.length ? html`<div><dt>Grouped by</dt><dd class="mono">${groupBy.map(([k, v]) => html`<span class="tag">${k}=${v}</span> `)}</dd></div>` : ''}
</dl>
</div>
<section class="triage-panel" aria-label="Triage">
  <h2>Triage</h2>
  ${triageSummary(state)}
  ${triageForm(model.csrf, model.self, { bulk: false, state })}
  <h3>Comments</h3>
  ${commentsList(model.comments)}
</section>
</div>
<h2>Matched events (${events.length}) <a class="button" href="/events?alert=${encodeURIComponent(alert.id)}&amp;range=all">Open in search</a></h2>
${eventsTable(events, {})}
${missingEventIds.length > 0 ? html`<p class="muted">Not in the store (expired by retention or not yet stored): <span class="mono">${missingEventIds.join(', ')}</span></p>` : ''}
<h2>History</h2>
${auditList(model.history)}`,
  );
}
