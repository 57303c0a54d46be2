import { html, type SafeHtml } from '../html.ts';

export function levelBadge(level: string): SafeHtml {
  return html`<span class="badge level-${level}">${level}</span>`;
}

export function outcomeBadge(outcome: string | null): SafeHtml {
  if (!outcome) return html`<span class="muted">—</span>`;
  return html`<span class="badge outcome-${outcome === 'failure' ? 'failure' : outcome === 'success' ? 'success' : 'other'}">${outcome}</span>`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge status-${status}">${status}</span>`;
}
