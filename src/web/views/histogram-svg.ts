import { html, type SafeHtml } from '../html.ts';
import type { Histogram } from '../histogram-data.ts';
import { linkTo, type Params } from '../query-params.ts';
import { formatCount, formatSpan, formatTime } from './format.ts';

const WIDTH = 1000;
const HEIGHT = 90;
/** Time labels under the chart, evenly spaced from the first bucket to the end of the range. */
const TICKS = 5;

/** A tick label: the date only at midnight, the time only within one day, both otherwise. */
function tickLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs <= 86_400_000) return `${iso.slice(11, 16)}`;
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/** Bars of events per bucket (failures stacked in red); clicking a bar narrows the search to it. */
export function histogramSvg(histogram: Histogram | undefined, params: Params): SafeHtml {
  if (!histogram || histogram.buckets.length === 0) return html``;
  const { buckets, bucketMs } = histogram;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const slot = WIDTH / buckets.length;
  const bar = Math.max(1, slot - 1);
  const total = buckets.reduce((n, b) => n + b.count, 0);
  const rest = { ...params };
  delete rest.range;
  delete rest.cursor;
  const bars = buckets.map((b, i) => {
    const h = b.count === 0 ? 0 : Math.max(2, (b.count / max) * HEIGHT);
    const fh = b.failures === 0 ? 0 : Math.max(1, (b.failures / max) * HEIGHT);
    const x = (i * slot).toFixed(1);
    const href = linkTo('/events', rest, {
      from: new Date(b.start).toISOString(),
      to: new Date(b.start + bucketMs).toISOString(),
    });
    const title = `${formatTime(b.start)} · ${formatCount(b.count)} events${b.failures ? `, ${b.failures} failed` : ''}`;
    return html`<a href="${href}"><rect class="hit" x="${x}" y="0" width="${slot.toFixed(1)}" height="${HEIGHT}"></rect><rect class="bar" x="${x}" y="${(HEIGHT - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"></rect><rect class="bar-fail" x="${x}" y="${(HEIGHT - fh).toFixed(1)}" width="${bar.toFixed(1)}" height="${fh.toFixed(1)}"></rect><title>${title}</title></a>`;
  });
  const start = buckets[0]!.start;
  const end = Math.max(histogram.to, start + bucketMs * buckets.length);
  const span = end - start;
  const ticks = Array.from({ length: TICKS }, (_, i) => start + (span * i) / (TICKS - 1));
  const grid = ticks.map((t) => {
    const x = (((t - start) / span) * WIDTH).toFixed(1);
    return html`<line class="tick" x1="${x}" x2="${x}" y1="0" y2="${HEIGHT}"></line>`;
  });
  return html`<figure class="histogram" aria-label="Events over time">
  <figcaption><span>${formatCount(total)} events · ${formatSpan(bucketMs)} buckets · ${formatTime(start)} → ${formatTime(end)} UTC</span><span class="legend"><i class="sw ok"></i>events <i class="sw fail"></i>failures</span></figcaption>
  <div class="chart">
    <div class="y-axis" aria-label="events per bucket"><span>${formatCount(max)}</span><span>${max % 2 === 0 ? formatCount(max / 2) : ''}</span><span>0</span></div>
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img"><line class="grid" x1="0" x2="${WIDTH}" y1="0.5" y2="0.5"></line><line class="grid" x1="0" x2="${WIDTH}" y1="${HEIGHT / 2}" y2="${HEIGHT / 2}"></line>${grid}${bars}</svg>
  </div>
  <div class="axis x-axis">${ticks.map((t) => html`<time datetime="${new Date(t).toISOString()}">${tickLabel(t, span)}</time>`)}</div>
</figure>`;
}
