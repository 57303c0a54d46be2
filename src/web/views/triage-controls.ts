import { ALERT_STATUSES, type AlertState } from '../../store/analyst/alert-triage.ts';
import { CSRF_FIELD } from '../csrf.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatTime } from './format.ts';

export const BULK_FORM = 'triage-form';

export function triageBadge(state: AlertState): SafeHtml {
  const who = state.statusBy ? `${state.status} by ${state.statusBy} at ${formatTime(state.statusAt)}` : state.status;
  return html`<span class="badge triage-${state.status}" title="${who}">${state.status}</span>`;
}

/** Status, assignee and comment for the selected alerts (or the one alert of a detail page). */
export function triageForm(csrf: string, back: string, options: { bulk: boolean; state?: AlertState }): SafeHtml {
  const { bulk, state } = options;
  const own = !bulk && state ? html`<input type="hidden" name="ids" value="${state.alertId}">` : '';
  const statuses = [['', bulk ? 'Status…' : 'Keep status'] as const, ...ALERT_STATUSES.map((s) => [s, s] as const)];
  return html`<form id="${BULK_FORM}" class="triage${bulk ? ' bulk' : ''}" method="post" action="/alerts/triage">
  <input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
  <input type="hidden" name="back" value="${back}">
  ${own}
  ${bulk ? html`<span class="selected-count" aria-live="polite">0 selected</span>` : ''}
  <label><span>Status</span><select name="status">${statuses.map(([v, t]) => html`<option value="${v}">${t}</option>`)}</select></label>
  <label><span>Assignee</span><input name="assignee" value="${state?.assignee ?? ''}" placeholder="${bulk ? 'leave empty to keep' : 'name'}" autocomplete="off"></label>
  ${bulk ? '' : html`<label class="check"><input type="checkbox" name="unassign" value="1"> Unassign</label>`}
  <label class="comment"><span>Comment</span><textarea name="comment" rows="${bulk ? 1 : 3}" maxlength="10000" placeholder="What you found, what you did"></textarea></label>
  <button type="submit" class="primary">${bulk ? 'Apply to selected' : 'Save'}</button>
</form>`;
}

/** A checkbox in a table row that adds its alerts to the bulk form. */
export function selectBox(ids: readonly string[], label: string): SafeHtml {
  return html`<input type="checkbox" class="select" name="ids" form="${BULK_FORM}" value="${ids.length === 1 ? ids[0]! : JSON.stringify(ids)}" aria-label="${label}">`;
}
