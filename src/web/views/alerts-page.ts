import { ALERT_LEVELS, type Alert } from '../../core/alert.ts';
import { html, type SafeHtml } from '../html.ts';
import { ALL_TIME, linkTo, RANGES, type Params } from '../query-params.ts';
import type { AlertPage } from '../../store/types.ts';
import { levelBadge } from './badges.ts';
import { timeTag } from './format.ts';
import { errorBanner, layout } from './layout.ts';

export interface AlertsPageModel {
  params: Params;
  page?: AlertPage;
  error?: string;
}

function options(current: string | undefined, list: readonly (readonly [string, string])[]): SafeHtml[] {
  return list.map(
    ([value, text]) => html`<option value="${value}"${value === (current ?? '') ? html` selected` : ''}>${text}</option>`,
  );
}

function alertRow(a: Alert, params: Params): SafeHtml {
  const href = `/alerts/${encodeURIComponent(a.id)}`;
  return html`<tr data-href="${href}" class="sev-${a.level}">
  <td class="nowrap mono">${timeTag(a.time)}</td>
  <td>${levelBadge(a.level)}</td>
  <td class="desc"><a href="${href}">${a.title}</a></td>
  <td><a class="pivot" href="${linkTo('/alerts', params, { tenant: a.tenantName ?? a.tenantId, cursor: undefined })}">${a.tenantName ?? a.tenantId}</a></td>
  <td class="mono">${a.attack.join(', ')}</td>
  <td class="num">${a.eventIds.length}</td>
</tr>`;
}

export function alertsPage(model: AlertsPageModel): SafeHtml {
  const { params, page } = model;
  const levels = [['', 'Any level'] as const, ...ALERT_LEVELS.map((l) => [l, `≥ ${l}`] as const)];
  const ranges = [[ALL_TIME, 'All time'] as const, ...RANGES.map((r) => [r, `Last ${r}`] as const)];
  return layout(
    'Alerts',
    'alerts',
    html`
<form class="search" method="get" action="/alerts" role="search">
  <div class="row main-row">
    <input class="q" name="q" type="search" value="${params.q ?? ''}" placeholder="Words in the alert title" autocomplete="off" aria-label="Search alert titles">
    <label><span>Level</span><select name="level">${options(params.level, levels)}</select></label>
    <label><span>Tenant</span><input name="tenant" value="${params.tenant ?? ''}" placeholder="name or id"></label>
    <label><span>Range</span><select name="range">${options(params.range, ranges)}</select></label>
    <button type="submit" class="primary">Filter</button>
    <a class="button" href="/alerts">Reset</a>
  </div>
</form>
${errorBanner(model.error)}
${
  page && page.alerts.length > 0
    ? html`<table class="grid alerts">
<thead><tr><th>Time (UTC)</th><th>Level</th><th>Title</th><th>Tenant</th><th>ATT&amp;CK</th><th class="num">Events</th></tr></thead>
<tbody>${page.alerts.map((a) => alertRow(a, params))}</tbody></table>`
    : html`<p class="empty">No alerts match.</p>`
}
<div class="pager">
  ${params.cursor ? html`<a class="button" href="${linkTo('/alerts', params, { cursor: undefined })}">⇤ Newest</a>` : ''}
  ${page?.nextCursor ? html`<a class="button" rel="next" href="${linkTo('/alerts', params, { cursor: page.nextCursor })}">Older →</a>` : ''}
</div>`,
  );
}
