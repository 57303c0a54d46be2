/** Listing windows of one stream, in `[start, end)` form, epoch ms on the server's clock. */
export interface ListingWindow {
  start: number;
  end: number;
}

export interface WindowPlanInput {
  /** Now, corrected for clock skew (server time). */
  now: number;
  listedThrough: number | undefined;
  /** Window size (≤ 24 h). */
  window: number;
  /** Trailing period re-listed every poll for late blobs. */
  settleWindow: number;
  /** First-run lookback. */
  backfill: number;
  /** Windows end this long before now. */
  listingDelay: number;
}

const DAY = 86_400_000;
/** Microsoft refuses starts older than 7 days; stay this far inside the limit. */
export const RETENTION_MARGIN = 15 * 60_000;
export const MAX_LOOKBACK = 7 * DAY - RETENTION_MARGIN;

const floorToSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

/**
 * The windows to list this poll, oldest first: from the cursor (or the backfill start on first run), or from the
 * start of the settle window if that is earlier, to now − listingDelay; never starting before now − 7 d + margin;
 * each at most `window` long (so ≤ 24 h) and on whole seconds. Windows lie on a fixed grid of `window`-sized steps
 * (epoch-aligned), so a window keeps its start from one poll to the next: a failed window is known by its start.
 */
export function planWindows(input: WindowPlanInput): ListingWindow[] {
  const end = floorToSecond(input.now - input.listingDelay);
  const earliest = floorToSecond(input.now - MAX_LOOKBACK) + 1000;
  const from = input.listedThrough ?? input.now - Math.min(input.backfill, MAX_LOOKBACK);
  const size = floorToSecond(Math.max(1000, Math.min(input.window, DAY)));
  const alignDown = (ms: number): number => Math.floor(ms / size) * size;
  let start = Math.max(earliest, alignDown(Math.min(from, end - input.settleWindow)));
  const windows: ListingWindow[] = [];
  while (start < end) {
    const windowEnd = Math.min(end, alignDown(start) + size);
    windows.push({ start, end: windowEnd });
    start = windowEnd;
  }
  return windows;
}
