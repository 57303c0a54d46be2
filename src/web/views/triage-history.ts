import type { AlertComment, AlertState } from '../../store/analyst/alert-triage.ts';
import type { AuditEntry } from '../../store/analyst/audit-log.ts';
import { html, type SafeHtml } from '../html.ts';
import { timeTag } from './format.ts';
import { triageBadge } from './triage-controls.ts';

function describe(entry: AuditEntry): SafeHtml {
  const d = entry.detail;
  switch (entry.action) {
    case 'alert.status':
      return html`set status <b>${String(d.from)}</b> → <b>${String(d.to)}</b>`;
    case 'alert.assign':
      return d.to ? html`assigned to <b>${String(d.to)}</b>` : html`unassigned (was ${String(d.from)})`;
    case 'alert.comment':
      return html`commented`;
    case 'search.save':
      return html`saved search <b>${String(d.name)}</b>`;
    case 'search.delete':
      return html`deleted saved search <b>${String(d.name)}</b>`;
    default:
      return html`${entry.action}`;
  }
}

export function triageSummary(state: AlertState): SafeHtml {
  return html`<dl class="facts triage-state">
  <div><dt>Status</dt><dd>${triageBadge(state)}${state.statusBy ? html` <span class="muted">by ${state.statusBy}, ${timeTag(state.statusAt)}</span>` : ''}</dd></div>
  <div><dt>Assignee</dt><dd class="assignee">${state.assignee ?? html`<span class="muted">nobody</span>`}</dd></div>
</dl>`;
}

export function commentsList(comments: readonly AlertComment[]): SafeHtml {
  if (comments.length === 0) return html`<p class="muted">No comments yet.</p>`;
  return html`<ol class="comments">${comments.map(
    (c) => html`<li><div class="meta"><b>${c.author}</b> · ${timeTag(c.at)}</div><p>${c.text}</p></li>`,
  )}</ol>`;
}

function target(entry: AuditEntry): SafeHtml {
  if (entry.targetKind === 'alert')
    return html`<a class="mono" href="/alerts/${encodeURIComponent(entry.targetId)}">${entry.targetId}</a>`;
  return html`<span class="muted">saved search #${entry.targetId}</span>`;
}

export function auditList(entries: readonly AuditEntry[], options: { withTarget?: boolean } = {}): SafeHtml {
  if (entries.length === 0) return html`<p class="muted">No changes yet.</p>`;
  const { withTarget = false } = options;
  return html`<div class="table-wrap"><table class="grid audit"><thead><tr><th>When (UTC)</th><th>Who</th><th>From</th>${withTarget ? html`<th>On</th>` : ''}<th>What</th></tr></thead><tbody>${entries.map(
    (e) =>
      html`<tr><td class="nowrap mono">${timeTag(e.at)}</td><td>${e.actor}</td><td class="mono">${e.ip ?? ''}</td>${withTarget ? html`<td>${target(e)}</td>` : ''}<td>${describe(e)}</td></tr>`,
  )}</tbody></table></div>`;
}
