import { html, type SafeHtml } from '../html.ts';
import type { HealthRow, HealthView } from '../health-view.ts';
import { statusBadge } from './badges.ts';
import { collectionNotes } from './collection-notes.ts';
import { formatAgo, formatCount, formatRate, formatSpan } from './format.ts';
import { errorBanner, layout } from './layout.ts';
import { outputsTable } from './outputs-table.ts';

function lagClass(lagMs: number | undefined): string {
  if (lagMs === undefined) return '';
  if (lagMs > 24 * 3_600_000) return 'bad';
  if (lagMs > 2 * 3_600_000) return 'warn';
  return '';
}

function healthRow(row: HealthRow, now: number): SafeHtml {
  const err = row.lastError;
  return html`<tr class="status-row-${row.status}">
  <td>${statusBadge(row.status)}</td>
  <td><a class="pivot" href="/events?tenant=${encodeURIComponent(row.tenantName)}">${row.tenantName}</a><div class="muted mono small">${row.tenantId}</div></td>
  <td><a class="pivot" href="/events?tenant=${encodeURIComponent(row.tenantName)}&amp;content_type=${encodeURIComponent(row.contentType)}">${row.contentType}</a></td>
  <td class="nowrap">${formatAgo(row.lastPollAt, now)}</td>
  <td class="nowrap">${formatAgo(row.lastSuccessAt, now)}</td>
  <td class="nowrap ${lagClass(row.lagMs)}">${formatSpan(row.lagMs)}</td>
  <td class="num">${formatRate(row.eventsPerMinute)}</td>
  <td class="num">${formatCount(row.eventsTotal)}</td>
  <td class="num">${formatCount(row.storedEvents)}</td>
  <td class="num">${formatCount(row.pendingBlobs)}</td>
  <td class="num ${row.quarantinedBlobs > 0 ? 'bad' : ''}">${formatCount(row.quarantinedBlobs)}</td>
  <td class="num ${row.expiredBlobs > 0 ? 'warn' : ''}">${formatCount(row.expiredBlobs)}</td>
  <td class="error-cell">${err ? html`<span class="mono code">${err.code}</span> ${err.message} <span class="muted">(${formatAgo(err.at, now)})</span>` : html`<span class="muted">—</span>`}${collectionNotes(row, now)}</td>
</tr>`;
}

export function healthPage(view: HealthView, now: number): SafeHtml {
  return layout(
    'Health',
    'health',
    html`
<h1>Collection health</h1>
${errorBanner(view.sourceError)}
${
  view.rows.length === 0
    ? html`<p class="empty">No stream yet: configure a tenant, or wait for the first poll.</p>`
    : html`<table class="grid health">
<thead><tr><th>Status</th><th>Tenant</th><th>Content type</th><th>Last poll</th><th>Last success</th><th title="Age of the newest content fetched">Lag</th><th class="num">Events/min</th><th class="num">Collected</th><th class="num">Stored</th><th class="num">Pending blobs</th><th class="num">Quarantined</th><th class="num">Expired</th><th>Last error</th></tr></thead>
<tbody>${view.rows.map((r) => healthRow(r, now))}</tbody></table>`
}
${
  view.sinks
    ? html`<h2>Outputs</h2>
${errorBanner(view.sinkError)}
${outputsTable(view.sinks, now)}`
    : ''
}`,
  );
}
