import { ALERT_LEVELS, type Alert } from '../../core/alert.ts';
import { ALERT_STATUSES } from '../../store/analyst/alert-triage.ts';
import { type Entity, entityKey } from '../alert-entity.ts';
import type { AlertGroup, AlertRow, AlertsOverview } from '../alerts-overview.ts';
import { SCAN_CAP } from '../alerts-overview.ts';
import { html, type SafeHtml } from '../html.ts';
import { ALL_TIME, linkTo, type Params, RANGES } from '../query-params.ts';
import { levelBadge } from './badges.ts';
import { formatCount, timeTag } from './format.ts';
import { errorBanner, layout } from './layout.ts';
import { selectBox, triageBadge, triageForm } from './triage-controls.ts';

/** Rows (alerts or groups) per page. */
export const ROWS_PER_PAGE = 100;

export interface AlertsPageModel {
  params: Params;
  overview?: AlertsOverview;
  csrf: string;
  /** This page's own URL, to come back to after a triage action. */
  self: string;
  error?: string;
}

function options(current: string | undefined, list: readonly (readonly [string, string])[]): SafeHtml[] {
  return list.map(
    ([value, text]) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${text}</option>`,
  );
}

function entityLink(entity: Entity | undefined, params: Params): SafeHtml {
  if (!entity) return html`<span class="muted">—</span>`;
  return html`<a class="pivot mono" href="${linkTo('/alerts', params, { page: undefined, entity: entityKey(entity) })}" title="Alerts about ${entity.kind} ${entity.value}"><span class="muted">${entity.kind}:</span>${entity.value}</a>`;
}

function tenantLink(alert: Alert, params: Params): SafeHtml {
  const tenant = alert.tenantName ?? alert.tenantId;
  return html`<a class="pivot" href="${linkTo('/alerts', params, { page: undefined, tenant })}">${tenant}</a>`;
}

function groupHref(group: AlertGroup, params: Params): string {
  const { view: _view, ...rest } = params;
  return linkTo('/alerts/group', rest, { rule: group.ruleId, entity: entityKey(group.entity) || '-' });
}

function groupRow(group: AlertGroup, params: Params): SafeHtml {
  const statuses = ALERT_STATUSES.filter((s) => group.byStatus[s] > 0);
  return html`<tr class="sev-${group.level}" data-href="${groupHref(group, params)}">
  <td class="pick">${selectBox(group.alertIds, `Select the ${group.count} alerts of ${group.title}`)}</td>
  <td>${levelBadge(group.level)}</td>
  <td class="desc"><a href="${groupHref(group, params)}">${group.title}</a><div class="muted small mono"><a class="pivot" href="${linkTo('/alerts', params, { page: undefined, rule: group.ruleId })}">${group.ruleId}</a></div></td>
  <td>${entityLink(group.entity, params)}</td>
  <td class="num">${formatCount(group.count)}${group.firings > group.count ? html`<div class="muted small">${formatCount(group.firings)} firings</div>` : ''}</td>
  <td class="nowrap mono">${timeTag(group.firstSeen)}</td>
  <td class="nowrap mono">${timeTag(group.lastSeen)}</td>
  <td class="nowrap">${statuses.map((s) => html`<span class="badge triage-${s}">${s} ${group.byStatus[s]}</span> `)}</td>
  <td>${group.tenants.join(', ')}</td>
</tr>`;
}

export function alertRow({ alert, state, entity }: AlertRow, params: Params): SafeHtml {
  const href = `/alerts/${encodeURIComponent(alert.id)}`;
  return html`<tr data-href="${href}" class="sev-${alert.level}" data-alert-id="${alert.id}">
  <td class="pick">${selectBox([alert.id], `Select ${alert.title}`)}</td>
  <td class="nowrap mono">${timeTag(alert.time)}</td>
  <td>${levelBadge(alert.level)}</td>
  <td class="desc"><a href="${href}">${alert.title}</a></td>
  <td>${entityLink(entity, params)}</td>
  <td>${tenantLink(alert, params)}</td>
  <td class="nowrap">${triageBadge(state)}${state.statusBy ? html`<div class="muted small">${state.statusBy} · ${timeTag(state.statusAt)}</div>` : ''}</td>
  <td>${state.assignee ?? html`<span class="muted">—</span>`}</td>
  <td class="num">${state.comments || ''}</td>
  <td class="num">${alert.eventIds.length}</td>
</tr>`;
}

export function alertsTable(rows: readonly AlertRow[], params: Params): SafeHtml {
  return html`<div class="table-wrap"><table class="grid alerts">
<thead><tr><th class="pick"><input type="checkbox" class="select-all" aria-label="Select all"></th><th>Time (UTC)</th><th>Level</th><th>Title</th><th>Entity</th><th>Tenant</th><th>Status</th><th>Assignee</th><th class="num" title="Comments">💬</th><th class="num">Events</th></tr></thead>
<tbody>${rows.map((r) => alertRow(r, params))}</tbody></table></div>`;
}

function groupsTable(groups: readonly AlertGroup[], params: Params): SafeHtml {
  return html`<div class="table-wrap"><table class="grid alerts groups">
<thead><tr><th class="pick"><input type="checkbox" class="select-all" aria-label="Select all"></th><th>Level</th><th>Rule</th><th>Entity</th><th class="num">Alerts</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Status</th><th>Tenants</th></tr></thead>
<tbody>${groups.map((g) => groupRow(g, params))}</tbody></table></div>`;
}

function statusTabs(model: AlertsPageModel): SafeHtml {
  const { params, overview } = model;
  const counts = overview?.byStatus;
  const all = counts ? counts.new + counts.acknowledged + counts.closed : undefined;
  const tab = (status: string | undefined, label: string, count: number | undefined) =>
    html`<a class="tab${(params.status ?? '') === (status ?? '') ? ' active' : ''}" href="${linkTo('/alerts', params, { page: undefined, status })}" data-status="${status ?? 'all'}">${label} <span class="count">${count === undefined ? '' : formatCount(count)}</span></a>`;
  return html`<nav class="tabs" aria-label="Status">
  ${tab(undefined, 'All', all)}
  ${ALERT_STATUSES.map((s) => tab(s, s[0]!.toUpperCase() + s.slice(1), counts?.[s]))}
</nav>`;
}

export function alertsPage(model: AlertsPageModel): SafeHtml {
  const { params, overview } = model;
  const levels = [['', 'Any level'] as const, ...ALERT_LEVELS.map((l) => [l, `≥ ${l}`] as const)];
  const ranges = [[ALL_TIME, 'All time'] as const, ...RANGES.map((r) => [r, `Last ${r}`] as const)];
  const grouped = params.view !== 'list';
  const all = (grouped ? overview?.groups.length : overview?.rows.length) ?? 0;
  const pages = Math.max(1, Math.ceil(all / ROWS_PER_PAGE));
  const pageNo = Math.min(pages, Math.max(1, Number.parseInt(params.page ?? '1', 10) || 1));
  const first = (pageNo - 1) * ROWS_PER_PAGE;
  const shown = Math.min(ROWS_PER_PAGE, all - first);
  const pageLink = (n: number) => linkTo('/alerts', params, { page: n === 1 ? undefined : String(n) });
  return layout(
    'Alerts',
    'alerts',
    html`
<form class="search" method="get" action="/alerts" role="search">
  <div class="row main-row">
    <input class="q" name="q" type="search" value="${params.q ?? ''}" placeholder="Words in the alert title" autocomplete="off" aria-label="Search alert titles">
    <label><span>Range</span><select name="range">${options(params.range, ranges)}</select></label>
    <button type="submit" class="primary">Filter</button>
    <a class="button" href="/alerts">Reset</a>
  </div>
  <div class="row filters">
    ${params.status ? html`<input type="hidden" name="status" value="${params.status}">` : ''}
    ${params.view ? html`<input type="hidden" name="view" value="${params.view}">` : ''}
    <label><span>Level</span><select name="level">${options(params.level, levels)}</select></label>
    <label><span>Rule</span><input name="rule" value="${params.rule ?? ''}" placeholder="rule id" autocomplete="off"></label>
    <label><span>Tenant</span><input name="tenant" value="${params.tenant ?? ''}" placeholder="name or id" autocomplete="off"></label>
    <label><span>Entity</span><input name="entity" value="${params.entity ?? ''}" placeholder="user:alice@… or a value" autocomplete="off"></label>
    <label><span>Assignee</span><input name="assignee" value="${params.assignee ?? ''}" placeholder="name, or - for nobody" autocomplete="off"></label>
  </div>
</form>
${errorBanner(model.error)}
<div class="alerts-head">
  ${statusTabs(model)}
  <nav class="tabs view" aria-label="View">
    <a class="tab${grouped ? ' active' : ''}" href="${linkTo('/alerts', params, { page: undefined, view: undefined })}">Grouped by rule × entity</a>
    <a class="tab${grouped ? '' : ' active'}" href="${linkTo('/alerts', params, { page: undefined, view: 'list' })}">Every alert</a>
  </nav>
</div>
${overview?.capped ? html`<p class="banner warn">Counts and groups cover the newest ${formatCount(SCAN_CAP)} alerts only: narrow the range or filters to see the rest.</p>` : ''}
${overview && shown ? triageForm(model.csrf, model.self, { bulk: true }) : ''}
${
  overview && shown
    ? grouped
      ? groupsTable(overview.groups.slice(first, first + ROWS_PER_PAGE), params)
      : alertsTable(overview.rows.slice(first, first + ROWS_PER_PAGE), params)
    : html`<p class="empty">No alerts match.</p>`
}
<div class="pager">
  ${overview ? html`<span>${formatCount(overview.rows.length)} alerts${grouped ? html` in ${formatCount(overview.groups.length)} groups` : ''}${pages > 1 ? html` · showing ${formatCount(first + 1)}–${formatCount(first + shown)}` : ''}</span>` : ''}
  ${pageNo > 1 ? html`<a class="button" href="${pageLink(pageNo - 1)}">← Previous</a>` : ''}
  ${pageNo < pages ? html`<a class="button" rel="next" href="${pageLink(pageNo + 1)}">Next →</a>` : ''}
</div>`,
  );
}
