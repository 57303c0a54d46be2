import { html, type SafeHtml } from '../html.ts';

/** `2026-11-24 12:00:05Z` */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A <time> element: UTC text, machine-readable attribute (the page script adds local time as a tooltip). */
export function timeTag(ms: number | undefined): SafeHtml {
  if (ms === undefined) return html`<span class="muted">—</span>`;
  return html`<time datetime="${new Date(ms).toISOString()}">${formatTime(ms)}</time>`;
}

/** `3m`, `2h 5m`, `4d 1h` */
export function formatSpan(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function formatAgo(ms: number | undefined, now: number): string {
  return ms === undefined ? '—' : `${formatSpan(now - ms)} ago`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatRate(perMinute: number): string {
  return perMinute >= 10 ? perMinute.toFixed(0) : perMinute.toFixed(1);
}

/** `0 B`, `512 KiB`, `1.5 GiB` */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 || value >= 10 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
