import { html, type SafeHtml } from '../html.ts';
import type { Histogram } from '../histogram-data.ts';
import { ALL_TIME, linkTo, RANGES, type Params } from '../query-params.ts';
import type { EventPage, EventSummary, FacetField, FacetValue } from '../../store/types.ts';
import { outcomeBadge } from './badges.ts';
import { formatCount, timeTag } from './format.ts';
import { histogramSvg } from './histogram-svg.ts';
import { errorBanner, layout } from './layout.ts';

export interface EventsPageModel {
  params: Params;
  page?: EventPage;
  histogram?: Histogram;
  facets: { field: FacetField; param: string; label: string; values: FacetValue[]; exact?: boolean; sample?: number }[];
  /** Known tenant names, offered as suggestions in the tenant filter. */
  tenants: string[];
  error?: string;
}

function input(params: Params, name: string, label: string, placeholder = '', cls = '', list = ''): SafeHtml {
  return html`<label class="${cls}"><span>${label}</span><input name="${name}" value="${params[name] ?? ''}" placeholder="${placeholder}" autocomplete="off" spellcheck="false"${list ? html` list="${list}"` : ''}></label>`;
}

function select(params: Params, name: string, label: string, options: readonly (readonly [string, string])[]): SafeHtml {
  const current = params[name] ?? '';
  return html`<label><span>${label}</span><select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`)}</select></label>`;
}

function searchForm(params: Params, tenants: readonly string[]): SafeHtml {
  const ranges: (readonly [string, string])[] = [[ALL_TIME, 'All time'], ...RANGES.map((r) => [r, `Last ${r}`] as const)];
  if (params.range && params.range !== ALL_TIME && !RANGES.includes(params.range as (typeof RANGES)[number]))
    ranges.push([params.range, `Last ${params.range}`]);
  return html`<form class="search" method="get" action="/events" role="search">
  <div class="row main-row">
    <input class="q" name="q" type="search" value="${params.q ?? ''}" placeholder='Search all fields — words, "phrases", prefix*, -exclude   (press / to focus)' autocomplete="off" spellcheck="false" aria-label="Full-text search">
    ${select(params, 'range', 'Range', ranges)}
    <button type="submit" class="primary">Search</button>
    <a class="button" href="/events">Reset</a>
    <label class="check" title="Only events cited by an alert"><input type="checkbox" name="alerted" value="1"${params.alerted === '1' ? html` checked` : ''}> Alerted only</label>
    ${params.alert ? html`<input type="hidden" name="alert" value="${params.alert}"><span class="tag">alert: ${params.alert}</span>` : ''}
    <label class="check" title="Reload the first page every 30 seconds"><input type="checkbox" id="live"> Live</label>
  </div>
  <div class="row filters">
    ${input(params, 'tenant', 'Tenant', 'name or id', '', 'tenant-list')}
    <datalist id="tenant-list">${tenants.map((t) => html`<option value="${t}"></option>`)}</datalist>
    ${input(params, 'user', 'User', 'e.g. alice@contoso.com')}
    ${input(params, 'ip', 'Source IP', 'e.g. 203.0.113.7', 'mono')}
    ${input(params, 'action', 'Operation', 'e.g. UserLoggedIn')}
    ${input(params, 'workload', 'Workload', 'e.g. Exchange')}
    ${select(params, 'outcome', 'Outcome', [
      ['', 'Any'],
      ['success', 'success'],
      ['failure', 'failure'],
      ['unknown', 'unknown'],
    ])}
    ${input(params, 'from', 'From (UTC)', 'ISO 8601')}
    ${input(params, 'to', 'To (UTC)', 'ISO 8601')}
  </div>
</form>`;
}

function filterLink(params: Params, name: string, value: string | null, cls = ''): SafeHtml {
  if (!value) return html`<span class="muted">—</span>`;
  return html`<a class="pivot ${cls}" href="${linkTo('/events', params, { [name]: value, cursor: undefined })}" title="Filter on ${value}">${value}</a>`;
}

function eventRow(e: EventSummary, params: Params): SafeHtml {
  const href = `/events/${encodeURIComponent(e.id)}`;
  return html`<tr data-href="${href}"${e.alerted ? html` class="alerted"` : ''}>
  <td class="nowrap mono">${timeTag(e.time)}</td>
  <td class="nowrap">${filterLink(params, 'tenant', e.tenantName)}</td>
  <td class="nowrap">${filterLink(params, 'action', e.action)}</td>
  <td class="mono nowrap">${filterLink(params, 'user', e.user)}</td>
  <td class="mono nowrap">${filterLink(params, 'ip', e.sourceIp)}</td>
  <td class="nowrap">${filterLink(params, 'workload', e.workload)}</td>
  <td>${outcomeBadge(e.outcome)}</td>
  <td class="desc">${e.alerted ? html`<span class="flag" title="Cited by an alert">alert</span> ` : ''}<a href="${href}">${e.description}</a></td>
</tr>`;
}

export function eventsTable(events: readonly EventSummary[], params: Params): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events match.</p>`;
  return html`<table class="grid events">
<thead><tr><th>Time (UTC)</th><th>Tenant</th><th>Operation</th><th>User</th><th>Source IP</th><th>Workload</th><th>Outcome</th><th>Description</th></tr></thead>
<tbody>${events.map((e) => eventRow(e, params))}</tbody>
</table>`;
}

function facetsPanel(model: EventsPageModel): SafeHtml {
  const groups = model.facets.filter((f) => f.values.length > 0);
  if (groups.length === 0) return html``;
  return html`<aside class="facets" aria-label="Top values">${groups.map(
    (f) => html`<section>
  <h3>${f.label}${f.exact === false && f.sample ? html` <small class="estimate" title="Counted over the newest ${formatCount(f.sample)} matching events">(newest ${formatCount(f.sample)})</small>` : ''}</h3>
  <ul>${f.values.map((v) => html`<li><a href="${linkTo('/events', model.params, { [f.param]: v.value, cursor: undefined })}" class="${f.param === 'ip' || f.param === 'user' ? 'mono' : ''}">${v.value}</a><span class="count">${formatCount(v.count)}</span></li>`)}</ul>
</section>`,
  )}</aside>`;
}

function pager(model: EventsPageModel): SafeHtml {
  const page = model.page;
  if (!page) return html``;
  const total = formatCount(page.total);
  return html`<div class="pager">
  <span>${formatCount(page.events.length)} shown of ${total} matching</span>
  ${
    page.total > 0
      ? html`<a class="button" download href="${linkTo('/api/events/export', model.params, { cursor: undefined, format: 'csv' })}">Export CSV</a>
  <a class="button" download href="${linkTo('/api/events/export', model.params, { cursor: undefined, format: 'ndjson' })}">Export NDJSON</a>`
      : ''
  }
  ${model.params.cursor ? html`<a class="button" href="${linkTo('/events', model.params, { cursor: undefined })}">⇤ Newest</a>` : ''}
  ${page.nextCursor ? html`<a class="button" rel="next" href="${linkTo('/events', model.params, { cursor: page.nextCursor })}">Older →</a>` : ''}
</div>`;
}

export function eventsPage(model: EventsPageModel): SafeHtml {
  return layout(
    'Events',
    'events',
    html`
${searchForm(model.params, model.tenants)}
${errorBanner(model.error)}
${histogramSvg(model.histogram, model.params)}
<div class="with-facets">
  ${facetsPanel(model)}
  <section class="results">${model.page ? eventsTable(model.page.events, model.params) : ''}${pager(model)}</section>
</div>`,
  );
}
