import { html, type SafeHtml } from '../html.ts';
import type { HealthRow } from '../health-view.ts';
import { formatAgo, formatCount, formatTime } from './format.ts';

/** Lines under a stream's last error: why blobs are quarantined, windows waiting for a retry, the last reconciliation. */
export function collectionNotes(row: HealthRow, now: number): SafeHtml {
  const windows = row.failedWindows;
  const sweep = row.reconciliation;
  const gaps = sweep ? sweep.missing + sweep.undelivered + sweep.unlistedWindows : 0;
  return html`${
    row.quarantineReason && row.quarantinedBlobs > 0
      ? html`<div class="small"><span class="bad">Quarantined:</span> ${row.quarantineReason}</div>`
      : ''
  }${
    windows
      ? html`<div class="small"><span class="warn">${formatCount(windows.count)} listing window(s) failing</span> since ${formatTime(windows.oldestStart)}: ${windows.error}</div>`
      : ''
  }${
    sweep
      ? html`<div class="small reconciliation ${gaps > 0 ? 'warn' : 'muted'}">Reconciliation ${formatAgo(sweep.at, now)}: ${formatCount(sweep.listed)} listed, ${formatCount(sweep.missing)} missed by listing, ${formatCount(sweep.undelivered)} not delivered, ${formatCount(sweep.unlistedWindows)} window(s) not listed${sweep.examples.length > 0 ? html` <span class="mono">(${sweep.examples.slice(0, 3).join('; ')})</span>` : ''}</div>`
      : ''
  }`;
}
