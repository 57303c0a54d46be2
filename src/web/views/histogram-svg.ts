import { html, type SafeHtml } from '../html.ts';
import type { Histogram } from '../histogram-data.ts';
import { linkTo, type Params } from '../query-params.ts';
import { formatCount, formatSpan, formatTime } from './format.ts';

const WIDTH = 1000;
const HEIGHT = 90;

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
  return html`<figure class="histogram" aria-label="Events over time">
  <figcaption><span>${formatCount(total)} events · ${formatSpan(bucketMs)} buckets</span><span class="legend"><i class="sw ok"></i>events <i class="sw fail"></i>failures</span></figcaption>
  <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img">${bars}</svg>
  <div class="axis"><span>${formatTime(buckets[0]!.start)}</span><span>${formatTime(histogram.to)}</span></div>
</figure>`;
}
