import type { AuditEntry } from '../../store/analyst/audit-log.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from './layout.ts';
import { auditList } from './triage-history.ts';

/** The newest changes analysts made (triage, saved searches), each linked to what it changed. */
export function auditPage(entries: readonly AuditEntry[]): SafeHtml {
  return layout(
    'Audit',
    'audit',
    html`<h1>Audit log</h1>
<p class="muted">Every change made from this page or the API, newest first (the last ${entries.length}). Full log: <a href="/api/audit?limit=1000">/api/audit</a>.</p>
${auditList(entries, { withTarget: true })}`,
  );
}
