import { html, type SafeHtml } from '../html.ts';
import type { SinkHealth } from '../sink-health.ts';
import { statusBadge } from './badges.ts';
import { formatAgo, formatBytes, formatCount } from './format.ts';

function backlog(sink: SinkHealth): SafeHtml {
  if (sink.backlogBytes === undefined) return html`<span class="muted">no spool</span>`;
  if (sink.capacityBytes === undefined) return html`${formatBytes(sink.backlogBytes)}`;
  const percent = (100 * sink.backlogBytes) / sink.capacityBytes;
  const level = percent >= 95 ? 'bad' : percent >= 50 ? 'warn' : '';
  return html`<span class="${level}">${formatBytes(sink.backlogBytes)}</span> <span class="muted">of ${formatBytes(sink.capacityBytes)} (${percent < 1 && percent > 0 ? '<1' : percent.toFixed(0)}%)</span>`;
}

function workerCell(sink: SinkHealth, now: number): SafeHtml {
  const reported =
    sink.reportedAt === undefined ? '' : html`<div class="muted small">reported ${formatAgo(sink.reportedAt, now)}</div>`;
  return html`<td class="mono">${sink.worker ?? '—'}${reported}</td>`;
}

function outputRow(sink: SinkHealth, now: number, byWorker: boolean): SafeHtml {
  const err = sink.lastError;
  return html`<tr class="status-row-${sink.status}">
  <td>${statusBadge(sink.status)}${sink.reason ? html`<div class="muted small">${sink.reason}</div>` : ''}</td>
  ${byWorker ? workerCell(sink, now) : ''}<td class="mono">${sink.name}</td>
  <td>${sink.type ?? '—'}</td>
  <td class="nowrap">${backlog(sink)}</td>
  <td class="num">${sink.deliveredEvents === undefined ? '—' : formatCount(sink.deliveredEvents)}</td>
  <td class="nowrap">${formatAgo(sink.lastDeliveryAt, now)}</td>
  <td class="num ${sink.deadLettered > 0 ? 'bad' : ''}">${formatCount(sink.deadLettered)}</td>
  <td class="error-cell">${err ? html`${err.message} <span class="muted">(${formatAgo(err.at, now)})</span>` : html`<span class="muted">—</span>`}</td>
</tr>`;
}

/** The "Outputs" table of the Health page: one row per sink (per worker's sink when scaled out). */
export function outputsTable(sinks: readonly SinkHealth[], now: number): SafeHtml {
  if (sinks.length === 0) return html`<p class="empty">No output configured.</p>`;
  const byWorker = sinks.some((s) => s.worker !== undefined);
  return html`<table class="grid health outputs">
<thead><tr><th>Status</th>${byWorker ? html`<th>Worker</th>` : ''}<th>Output</th><th>Type</th><th title="Spooled on disk, not yet delivered">Backlog</th><th class="num" title="Acknowledged by the destination since the start">Delivered</th><th>Last delivery</th><th class="num" title="Refused for good: see data_dir/dead-letter/&lt;output&gt;.ndjson">Dead-lettered</th><th>Last error</th></tr></thead>
<tbody>${sinks.map((s) => outputRow(s, now, byWorker))}</tbody></table>`;
}
