import type { SavedSearch } from '../../store/analyst/saved-searches.ts';
import { CSRF_FIELD } from '../csrf.ts';
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
  /** Where in `q` the query language found the mistake (0-based character offset). */
  errorPosition?: number;
  saved?: SavedSearch[];
  csrf?: string;
}

function input(params: Params, name: string, label: string, placeholder = '', cls = '', list = ''): SafeHtml {
  return html`<label class="${cls}"><span>${label}</span><input name="${name}" value="${params[name] ?? ''}" placeholder="${placeholder}" autocomplete="off" spellcheck="false"${list ? html` list="${list}"` : ''}></label>`;
}

function select(params: Params, name: string, label: string, options: readonly (readonly [string, string])[]): SafeHtml {
  const current = params[name] ?? '';
  return html`<label><span>${label}</span><select name="${name}">${options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`)}</select></label>`;
}

/** `2026-11-24T10:00` for a datetime-local input (UTC), from whatever the parameter holds. */
function localInputValue(value: string | undefined): string {
  if (!value) return '';
  const time = /^\d{10,}$/.test(value) ? Number(value) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(time) ? new Date(time).toISOString().slice(0, 16) : value;
}

function timePicker(params: Params): SafeHtml {
  const absolute = Boolean(params.from || params.to);
  const ranges: (readonly [string, string])[] = [[ALL_TIME, 'All time'], ...RANGES.map((r) => [r, `Last ${r}`] as const)];
  if (params.range && params.range !== ALL_TIME && !RANGES.includes(params.range as (typeof RANGES)[number]))
    ranges.push([params.range, `Last ${params.range}`]);
  const rest = { ...params };
  delete rest.cursor;
  delete rest.from;
  delete rest.to;
  return html`<div class="timepicker" role="group" aria-label="Time range">
  <span class="presets">${ranges.map(
    ([value, text]) =>
      html`<a class="preset${!absolute && (params.range ?? '') === value ? ' active' : ''}" href="${linkTo('/events', rest, { range: value })}" data-range="${value}">${text.replace('Last ', '')}</a>`,
  )}</span>
  <input type="hidden" name="range" value="${params.range ?? ''}">
  <label><span>From (UTC)</span><input type="datetime-local" name="from" value="${localInputValue(params.from)}" step="1"></label>
  <label><span>To (UTC)</span><input type="datetime-local" name="to" value="${localInputValue(params.to)}" step="1"></label>
</div>`;
}

function savedSearches(model: EventsPageModel, current: string): SafeHtml {
  const saved = model.saved ?? [];
  if (!model.csrf) return html``;
  return html`<details class="saved-searches">
  <summary>Saved searches (${saved.length})</summary>
  <div class="menu">
    ${
      saved.length > 0
        ? html`<ul>${saved.map(
            (s) =>
              html`<li><a class="apply" href="/events?${s.query}" title="${s.query}">${s.name}</a><form method="post" action="/searches/${s.id}/delete"><input type="hidden" name="${CSRF_FIELD}" value="${model.csrf}"><input type="hidden" name="back" value="/events?${current}"><button type="submit" class="link danger" aria-label="Delete saved search ${s.name}">Delete</button></form></li>`,
          )}</ul>`
        : html`<p class="muted">None yet.</p>`
    }
    <form method="post" action="/searches" class="save-search">
      <input type="hidden" name="${CSRF_FIELD}" value="${model.csrf}">
      <input type="hidden" name="query" value="${current}">
      <input name="name" placeholder="Name this search" required maxlength="120" aria-label="Saved search name">
      <button type="submit">Save current search</button>
    </form>
  </div>
</details>`;
}

function searchForm(model: EventsPageModel): SafeHtml {
  const { params, tenants } = model;
  const current = new URLSearchParams(Object.entries(params).filter(([k]) => k !== 'cursor')).toString();
  // Saved searches are forms of their own, so they sit beside the search form, not in it.
  return html`<div class="search-tools">${savedSearches(model, current)}</div>
<form class="search" method="get" action="/events" role="search">
  <div class="row main-row">
    <input class="q" name="q" type="search" value="${params.q ?? ''}" placeholder='user.name:alice* AND NOT event.outcome:success · "exact phrase" · words   (press / to focus)' autocomplete="off" spellcheck="false" aria-label="Query"${model.errorPosition !== undefined ? html` aria-invalid="true"` : ''}>
    <button type="submit" class="primary">Search</button>
    <a class="button" href="/events">Reset</a>
  </div>
  <div class="row">
    ${timePicker(params)}
    <label class="check" title="Only events cited by an alert"><input type="checkbox" name="alerted" value="1"${params.alerted === '1' ? html` checked` : ''}> Alerted only</label>
    ${params.alert ? html`<input type="hidden" name="alert" value="${params.alert}"><span class="tag">alert: ${params.alert}</span>` : ''}
    ${params.order === 'asc' ? html`<input type="hidden" name="order" value="asc">` : ''}
    <label class="check" title="Append new events as they are stored (server-sent events)"><input type="checkbox" id="live"${params.to || params.cursor ? html` disabled` : ''}${model.page ? html` data-tail-cursor="${model.page.tailCursor}"` : ''}> Live tail</label>
    <span id="live-status" class="muted small" aria-live="polite"></span>
  </div>
  <details class="filters"${['tenant', 'user', 'ip', 'action', 'workload', 'outcome'].some((k) => params[k]) ? html` open` : ''}>
  <summary>Field filters</summary>
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
  </div>
  </details>
</form>`;
}

/** The message, with the query and a caret under the character the parser stopped at. */
export function queryError(message: string | undefined, q: string | undefined, position: number | undefined): SafeHtml {
  if (!message) return html``;
  if (position === undefined || q === undefined) return errorBanner(message);
  const at = Math.max(0, Math.min(position, q.length));
  return html`<div class="banner error query-error" role="alert"><p>${message}</p><pre class="caret" aria-label="position ${at}"><span class="q-before">${q.slice(0, at)}</span><mark>${q.slice(at, at + 1) || ' '}</mark>${q.slice(at + 1)}
<span class="q-pad">${' '.repeat(at)}</span><b>^</b></pre></div>`;
}

function filterLink(params: Params, name: string, value: string | null, cls = ''): SafeHtml {
  if (!value) return html`<span class="muted">—</span>`;
  return html`<a class="pivot ${cls}" href="${linkTo('/events', params, { [name]: value, cursor: undefined })}" title="Filter on ${value}">${value}</a>`;
}

export const EVENT_COLUMNS = [
  ['time', 'Time (UTC)'],
  ['tenant', 'Tenant'],
  ['action', 'Operation'],
  ['user', 'User'],
  ['ip', 'Source IP'],
  ['workload', 'Workload'],
  ['outcome', 'Outcome'],
  ['description', 'Description'],
] as const;

function eventRow(e: EventSummary, params: Params): SafeHtml {
  const rest = { ...params };
  delete rest.cursor;
  const href = linkTo(`/events/${encodeURIComponent(e.id)}`, rest);
  return html`<tr data-href="${href}" data-id="${e.id}" data-time="${e.time}"${e.alerted ? html` class="alerted"` : ''}>
  <td class="nowrap mono" data-col="time">${timeTag(e.time)}</td>
  <td class="nowrap" data-col="tenant">${filterLink(params, 'tenant', e.tenantName)}</td>
  <td class="nowrap" data-col="action">${filterLink(params, 'action', e.action)}</td>
  <td class="mono nowrap" data-col="user">${filterLink(params, 'user', e.user)}</td>
  <td class="mono nowrap" data-col="ip">${filterLink(params, 'ip', e.sourceIp)}</td>
  <td class="nowrap" data-col="workload">${filterLink(params, 'workload', e.workload)}</td>
  <td data-col="outcome">${outcomeBadge(e.outcome)}</td>
  <td class="desc" data-col="description">${e.alerted ? html`<span class="flag" title="Cited by an alert">alert</span> ` : ''}<a href="${href}">${e.description}</a></td>
</tr>`;
}

function columnPicker(): SafeHtml {
  return html`<details class="columns"><summary>Columns</summary><div class="menu">${EVENT_COLUMNS.map(
    ([col, label]) => html`<label class="check"><input type="checkbox" data-col-toggle="${col}" checked> ${label}</label>`,
  )}</div></details>`;
}

/** The time header: on the events page a link that re-runs the search in the other order (the whole result is sorted). */
function timeHeader(label: string, params: Params, requery: boolean): SafeHtml {
  const ascending = params.order === 'asc';
  const sort = ascending ? 'ascending' : 'descending';
  const arrow = ascending ? '↑' : '↓';
  if (!requery)
    return html`<th data-col="time" aria-sort="${sort}"><button type="button" class="sort-time" title="Sort by time">${label} <span class="arrow">${arrow}</span></button></th>`;
  const href = linkTo('/events', params, { order: ascending ? undefined : 'asc', cursor: undefined });
  return html`<th data-col="time" aria-sort="${sort}"><a class="sort-time" href="${href}" title="${ascending ? 'Sort newest first' : 'Sort oldest first'}">${label} <span class="arrow">${arrow}</span></a></th>`;
}

/** `controls`: the events page's own table (column picker, time sort by re-querying); elsewhere the rows sort in place. */
export function eventsTable(events: readonly EventSummary[], params: Params, options: { controls?: boolean } = {}): SafeHtml {
  if (events.length === 0) return html`<p class="empty">No events match.</p>`;
  const head = EVENT_COLUMNS.map(([col, label]) =>
    col === 'time' ? timeHeader(label, params, options.controls === true) : html`<th data-col="${col}">${label}</th>`,
  );
  return html`${options.controls ? html`<div class="table-tools">${columnPicker()}</div>` : ''}<div class="table-wrap"><table class="grid events">
<thead><tr>${head}</tr></thead>
<tbody>${events.map((e) => eventRow(e, params))}</tbody>
</table></div>`;
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
  // A capped count is a lower bound: "10,000+ matching", never shown as an exact total.
  const total = `${formatCount(page.total)}${page.totalAtLeast ? '+' : ''}`;
  const ascending = model.params.order === 'asc';
  return html`<div class="pager">
  <span>${formatCount(page.events.length)} shown of ${total} matching${page.totalAtLeast ? html` <small class="estimate" title="Large results are counted up to ${formatCount(page.total)} matches: at least this many match">(at least; counting stopped)</small>` : ''}</span>
  ${
    page.total > 0
      ? html`<span class="muted small export-note" title="The export is streamed: no row limit">Export streams all ${page.totalAtLeast ? '' : `${total} `}matching events:</span>
  <a class="button" download href="${linkTo('/api/events/export', model.params, { cursor: undefined, format: 'csv' })}">Export CSV</a>
  <a class="button" download href="${linkTo('/api/events/export', model.params, { cursor: undefined, format: 'ndjson' })}">Export NDJSON</a>`
      : ''
  }
  ${model.params.cursor ? html`<a class="button" href="${linkTo('/events', model.params, { cursor: undefined })}">${ascending ? '⇤ Oldest' : '⇤ Newest'}</a>` : ''}
  ${page.nextCursor ? html`<a class="button" rel="next" href="${linkTo('/events', model.params, { cursor: page.nextCursor })}">${ascending ? 'Newer →' : 'Older →'}</a>` : ''}
</div>`;
}

export function eventsPage(model: EventsPageModel): SafeHtml {
  return layout(
    'Events',
    'events',
    html`
${searchForm(model)}
${queryError(model.error, model.params.q, model.errorPosition)}
${histogramSvg(model.histogram, model.params)}
<div class="with-facets">
  ${facetsPanel(model)}
  <section class="results">${model.page ? eventsTable(model.page.events, model.params, { controls: true }) : ''}${pager(model)}</section>
</div>`,
  );
}
