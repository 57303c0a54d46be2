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

/** The span one poll lists and its grid step: the windows of `planWindows` without building them (`windowAt`). */
export interface WindowPlan {
  start: number;
  end: number;
  /** Window size: windows end on multiples of it (epoch-aligned), or at `end`. */
  size: number;
}

/**
 * What to list this poll: from the cursor (or the backfill start on first run), or from the start of the settle
 * window if that is earlier, to now − listingDelay; never starting before now − 7 d + margin; in windows of at most
 * `window` (so ≤ 24 h) on whole seconds. Windows lie on a fixed grid of `window`-sized steps (epoch-aligned), so a
 * window keeps its start from one poll to the next: a failed window is known by its start.
 */
export function planSpan(input: WindowPlanInput): WindowPlan {
  const end = floorToSecond(input.now - input.listingDelay);
  const earliest = floorToSecond(input.now - MAX_LOOKBACK) + 1000;
  const from = input.listedThrough ?? input.now - Math.min(input.backfill, MAX_LOOKBACK);
  const size = floorToSecond(Math.max(1000, Math.min(input.window, DAY)));
  const start = Math.max(earliest, Math.floor(Math.min(from, end - input.settleWindow) / size) * size);
  return { start, end, size };
}

/** The plan's window that starts at `start` (the plan's start or a previous window's end); undefined past its end. */
export function windowAt(plan: WindowPlan, start: number): ListingWindow | undefined {
  if (start >= plan.end) return undefined;
  return { start, end: Math.min(plan.end, Math.floor(start / plan.size) * plan.size + plan.size) };
}

/** The windows to list this poll, oldest first (see `planSpan`). */
export function planWindows(input: WindowPlanInput): ListingWindow[] {
  const plan = planSpan(input);
  const windows: ListingWindow[] = [];
  for (let w = windowAt(plan, plan.start); w; w = windowAt(plan, w.end)) windows.push(w);
  return windows;
}
