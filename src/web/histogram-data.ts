import type { EventFilter } from '../store/event-query.ts';
import type { EventSearch, SearchOptions } from '../store/event-store.ts';
import type { HistogramBucket } from '../store/types.ts';

export interface Histogram {
  bucketMs: number;
  from: number;
  to: number;
  /** Every bucket from `from` to `to`, empty ones included. */
  buckets: HistogramBucket[];
}

const STEPS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  30 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
  7 * 86_400_000,
];
const MAX_BUCKETS = 72;

/** The smallest bucket size that keeps the span within MAX_BUCKETS bars. */
export function bucketSizeFor(spanMs: number): number {
  return STEPS.find((step) => spanMs / step <= MAX_BUCKETS) ?? STEPS.at(-1)!;
}

/** A dense histogram over the filter's time range (or the span of the matching events when open-ended). */
export async function buildHistogram(
  store: EventSearch,
  filter: EventFilter,
  now: number,
  options?: SearchOptions,
): Promise<Histogram | undefined> {
  const bounds = filter.from === undefined || filter.to === undefined ? await store.timeBounds(filter, options) : undefined;
  const from = filter.from ?? bounds?.oldest;
  const to = filter.to ?? (filter.from !== undefined ? now : bounds ? bounds.newest + 1 : undefined);
  if (from === undefined || to === undefined || to <= from) return undefined;
  const bucketMs = bucketSizeFor(to - from);
  const counts = new Map((await store.histogram(filter, bucketMs, options)).map((b) => [b.start, b]));
  const buckets: HistogramBucket[] = [];
  const first = Math.floor(from / bucketMs) * bucketMs;
  for (let start = first; start < to && buckets.length <= MAX_BUCKETS + 1; start += bucketMs) {
    buckets.push(counts.get(start) ?? { start, count: 0, failures: 0 });
  }
  return { bucketMs, from, to, buckets };
}
