import type { StoredEvent } from '../../store/types.ts';
import { html, type SafeHtml } from '../html.ts';
import { linkTo, type Params } from '../query-params.ts';
import { outcomeBadge } from './badges.ts';
import { fieldTable } from './field-table.ts';
import { formatTime, timeTag } from './format.ts';
import { jsonView } from './json-view.ts';
import { layout } from './layout.ts';

/** One event: its fields as tables (ECS and raw) with filter actions that refine the search it was opened from. */
export function eventPage(event: StoredEvent, params: Params = {}): SafeHtml {
  const pivot = (name: string, value: string | null): SafeHtml =>
    value
      ? html`<a class="pivot" href="${linkTo('/events', params, { [name]: value, cursor: undefined })}" title="All events with this value">${value}</a>`
      : html`<span class="muted">—</span>`;
  return layout(
    event.description,
    'events',
    html`
<p class="crumbs"><a href="${linkTo('/events', params)}">Events</a> / <span class="mono">${event.id}</span></p>
<h1>${event.description}</h1>
<dl class="facts">
  <div><dt>Time</dt><dd class="mono">${timeTag(event.time)}</dd></div>
  <div><dt>Tenant</dt><dd>${pivot('tenant', event.tenantName)} <span class="muted mono">${event.tenantId}</span></dd></div>
  <div><dt>Content type</dt><dd>${pivot('content_type', event.contentType)}</dd></div>
  <div><dt>Operation</dt><dd>${pivot('action', event.action)}</dd></div>
  <div><dt>User</dt><dd class="mono">${pivot('user', event.user)}</dd></div>
  <div><dt>Source IP</dt><dd class="mono">${pivot('ip', event.sourceIp)}</dd></div>
  <div><dt>Workload</dt><dd>${pivot('workload', event.workload)}</dd></div>
  <div><dt>Outcome</dt><dd>${outcomeBadge(event.outcome)}</dd></div>
  <div><dt>Stored</dt><dd class="mono">${formatTime(event.ingestedAt)}</dd></div>
</dl>
${event.alertIds.length > 0 ? html`<section class="linked-alerts"><h2>Alerts citing this event</h2><ul>${event.alertIds.map((id) => html`<li><a class="mono" href="/alerts/${encodeURIComponent(id)}">${id}</a></li>`)}</ul></section>` : ''}
<div class="side-by-side">
  <section><h2>ECS fields</h2>${fieldTable(event.ecs, { id: 'ecs-fields', ecs: true, params, event })}</section>
  <section><h2>Raw record fields</h2>${fieldTable(event.raw, { id: 'raw-fields', ecs: false, params, event })}</section>
</div>
<details class="json-panes"><summary>JSON documents</summary>
<div class="side-by-side">
  <section><h2>ECS <button type="button" class="copy" data-copy="ecs-json">Copy</button></h2><pre class="json" id="ecs-json">${jsonView(event.ecs)}</pre></section>
  <section><h2>Raw record <button type="button" class="copy" data-copy="raw-json">Copy</button></h2><pre class="json" id="raw-json">${jsonView(event.raw)}</pre></section>
</div>
</details>`,
  );
}
