import type { Database } from 'better-sqlite3';
import { BlockCache } from './event-blocks.ts';
import {
  decodeCursor,
  decodeTailCursor,
  encodeCursor,
  encodeTailCursor,
  type EventFilter,
  type EventQuery,
  pageSize,
  timeOrder,
  whereOf,
} from './event-query.ts';
import { StoreQueryError } from './errors.ts';
import { eventIdKey, registerEventIdKey } from './event-id-key.ts';
import { type CompiledWhere, type DocMatcher, inTimeOrder } from './query-sql.ts';
import type { EventPage, EventSummary, FacetField, FacetResult, HistogramBucket, StoredEvent, TailPage } from './types.ts';

const MINUTE = 60_000;

/**
 * Oldest (`lo`) and newest (`hi`) event time matching a clause (its parameters bound twice): two index walks that
 * stop at the first row, where `min()`/`max()` under a WHERE read every row of the range.
 */
function timeSpanSql(where: string, lo = 'lo', hi = 'hi'): string {
  return `SELECT (SELECT e.time FROM events e WHERE ${where} ORDER BY e.time LIMIT 1) AS ${lo},
    (SELECT e.time FROM events e WHERE ${where} ORDER BY e.time DESC LIMIT 1) AS ${hi}`;
}

/** The filter part of a query (without its paging). */
function filterOf(query: EventQuery): EventFilter {
  const { limit: _limit, cursor: _cursor, order: _order, ...filter } = query;
  return filter;
}

/** True when the filter narrows nothing but the time range (the histogram can read the per-minute counts). */
function onlyTimeRange(filter: EventFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || key === 'from' || key === 'to');
}

/** Buckets counted one by one at most (the events page asks for about 72). */
const MAX_COUNTED_BUCKETS = 400;

/** Events read per live-tail call when the caller does not say. */
export const TAIL_LIMIT = 200;

/** A full-text search counts its matches up to this many; beyond, the page says "at least" (`totalAtLeast`). */
export const FULL_TEXT_COUNT_LIMIT = 10_000;

/**
 * Rows a full-text page walked in time order (see inTimeOrder) may examine before it is read from the list of matches
 * instead: common words whose intersection is rare would otherwise walk the whole time range.
 */
const WALK_ROW_BUDGET = 200_000;

/**
 * Events in a time range beyond which a search on columns with more than FULL_TEXT_COUNT_LIMIT matches stops counting
 * there ("at least"): counting exactly could scan every row of the range (1.3 s for the 2.3M rows of 7 days in a
 * 10M-event store). Smaller ranges are counted exactly.
 */
export const EXACT_COUNT_RANGE = 1_000_000;

/**
 * A time range of fewer events than this may be walked row by row for a full-text search (rangeSmallerThanMatches);
 * a larger one never is (walking it costs ~1.2 s per million rows).
 */
const RANGE_WALK_LIMIT = 1_000_000;

/** Thrown by `walk_budget()` when a page walked in time order has examined WALK_ROW_BUDGET rows. */
class WalkBudgetSpent extends Error {}

/** Facets count every match up to this many events; beyond, the newest this many (labelled as a sample). */
export const FACET_EXACT_LIMIT = 100_000;

export const SUMMARY_COLUMNS = `e.seq, e.id, e.tenant_id AS tenantId, e.tenant_name AS tenantName, e.content_type AS contentType, e.time,
  e.user, e.source_ip AS sourceIp, e.action, e.workload, e.outcome, e.description,
  EXISTS (SELECT 1 FROM alert_events l WHERE l.event_id = e.id) AS alerted`;

/** The best page keys (time, seq) seen so far by the `page_keys` aggregate, in page order. */
interface PageKeys {
  keys: [number, number][];
}

export type SummaryRow = Omit<EventSummary, 'alerted'> & { seq: number; alerted: number };

const FACET_COLUMNS: Record<FacetField, string> = {
  user: 'e.user',
  sourceIp: 'e.source_ip',
  action: 'e.action',
  workload: 'e.workload',
  outcome: 'e.outcome',
  tenant: 'e.tenant_name',
};

export function summary(row: SummaryRow): EventSummary {
  const { seq: _seq, alerted, ...rest } = row;
  return { ...rest, alerted: alerted === 1 };
}

/** The searches of the events page over one connection (a worker's read-only one, see query-worker.ts). */
export interface EventReads {
  searchEvents(query: EventQuery, now: number): EventPage;
  tailEvents(filter: EventFilter, after: string | undefined, limit: number | undefined, now: number): TailPage;
  histogram(filter: EventFilter, bucketMs: number, now: number): HistogramBucket[];
  timeBounds(filter: EventFilter, now: number): { oldest: number; newest: number } | undefined;
  topValues(filter: EventFilter, field: FacetField, limit: number, now: number): FacetResult;
  getEvent(id: string): StoredEvent | undefined;
  /** Drops decoded blocks kept between getEvent calls (after retention deleted some). */
  forgetBlocks(): void;
}

/**
 * `blocksDb` reads the document blocks: `doc_match` runs inside a statement of `db`, and a connection cannot run a
 * second statement meanwhile, so the worker gives it a second read-only connection (blocks never change once written).
 */
export function createEventReads(
  db: Database,
  blocksDb: Database = db,
  { exactCountRange = EXACT_COUNT_RANGE }: { exactCountRange?: number } = {},
): EventReads {
  registerEventIdKey(db);
  const selectBlock = blocksDb.prepare('SELECT data FROM event_blocks WHERE id = ?').pluck();
  const blocks = new BlockCache((id) => selectBlock.get(id) as Buffer | undefined);
  let matchers: DocMatcher[] = [];
  db.function('doc_match', { deterministic: false, directOnly: true }, (block, slot, index) => {
    const matcher = matchers[Number(index)];
    if (!matcher) return 0;
    const doc = blocks.document(Number(block), Number(slot), matcher.raw ? 1 : 0);
    return doc !== undefined && matcher.test(doc) ? 1 : 0;
  });
  // One pass for searches that read documents: counts every match and keeps the best `limit + 1` page keys after
  // the cursor (instead of a page query and a count query that would each parse the same documents).
  const pageKeys = {
    start: (): PageKeys => ({ keys: [] }),
    step: (acc: PageKeys, ...args: unknown[]): PageKeys => {
      const [time, seq, asc, cursorTime, cursorSeq, size] = args.map((a) => (a === null ? null : Number(a)));
      const up = asc === 1;
      // ahead(a, b): a comes before b in the page order.
      const ahead = (at: number, as: number, bt: number, bs: number) =>
        up ? at < bt || (at === bt && as < bs) : at > bt || (at === bt && as > bs);
      const t = time!;
      const q = seq!;
      if (cursorTime !== null && cursorTime !== undefined && !ahead(cursorTime, cursorSeq!, t, q)) return acc;
      const keys = acc.keys;
      const worst = keys.at(-1);
      if (keys.length >= size! && worst && !ahead(t, q, worst[0], worst[1])) return acc;
      let lo = 0;
      let hi = keys.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ahead(keys[mid]![0], keys[mid]![1], t, q)) lo = mid + 1;
        else hi = mid;
      }
      keys.splice(lo, 0, [t, q]);
      if (keys.length > size!) keys.pop();
      return acc;
    },
    result: (acc: PageKeys) => JSON.stringify(acc.keys.map((k) => k[1])),
  };
  let walkedRows = 0;
  db.function('walk_budget', { deterministic: false, directOnly: true }, () => {
    if (++walkedRows > WALK_ROW_BUDGET) throw new WalkBudgetSpent();
    return 1;
  });
  /** `run` under a fresh row budget; undefined when the budget ran out. */
  function walking<T>(run: () => T): T | undefined {
    walkedRows = 0;
    try {
      return run();
    } catch (err) {
      if (err instanceof WalkBudgetSpent) return undefined;
      throw err;
    }
  }
  const countFullTextUpTo = db
    .prepare('SELECT count(*) FROM (SELECT 1 FROM events_fts WHERE events_fts MATCH ? LIMIT ?)')
    .pluck();
  /** True when every full-text test matches more than FULL_TEXT_COUNT_LIMIT events (each counted from FTS5 alone). */
  const everyTestCommon = (where: CompiledWhere) =>
    where.fullTextMatches.length > 0 &&
    where.fullTextMatches.every((m) => (countFullTextUpTo.get(m, FULL_TEXT_COUNT_LIMIT + 1) as number) > FULL_TEXT_COUNT_LIMIT);
  db.aggregate('page_keys', { ...pageKeys, varargs: true } as unknown as Parameters<Database['aggregate']>[1]);
  const selectEvent = db.prepare('SELECT * FROM events WHERE id_key = ? AND id = ?');
  const selectAlertIds = db.prepare(`SELECT l.alert_id AS id FROM alert_events l JOIN alerts a ON a.id = l.alert_id
    WHERE l.event_id = ? ORDER BY a.time DESC LIMIT 100`);

  /** Compiles the filter and runs `fn` with its document tests installed for `doc_match`. */
  function withWhere<T>(filter: EventFilter, now: number, fn: (sql: string, params: unknown[], where: CompiledWhere) => T): T {
    const where = whereOf(filter, now);
    matchers = where.matchers;
    try {
      return fn(where.sql, where.params, where);
    } finally {
      matchers = [];
      blocks.clear();
    }
  }

  // The highest seq ever given (AUTOINCREMENT keeps it even when the newest rows were deleted).
  const selectNewestSeq = db.prepare("SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0)").pluck();
  const newestSeq = () => selectNewestSeq.get() as number;

  /**
   * Histogram by one count per bucket (undefined when there would be more than MAX_COUNTED_BUCKETS buckets). The
   * bucket's bounds come first in the SQL, intersected with the filter's own range: SQLite walks the time index with
   * the first range it is given, so each count reads only its bucket.
   */
  function countPerBucket(filter: EventFilter, now: number, bucketMs: number): HistogramBucket[] | undefined {
    const { from, to, ...rest } = filter;
    const lo = from ?? Number.MIN_SAFE_INTEGER;
    const hi = to ?? Number.MAX_SAFE_INTEGER;
    const where = whereOf(rest, now);
    const bounds = db
      .prepare(timeSpanSql(`e.time >= ? AND e.time < ? AND ${where.sql}`))
      .get(lo, hi, ...where.params, lo, hi, ...where.params) as { lo: number | null; hi: number | null };
    if (bounds.lo === null || bounds.hi === null) return [];
    const first = Math.floor(bounds.lo / bucketMs) * bucketMs;
    if ((bounds.hi - first) / bucketMs >= MAX_COUNTED_BUCKETS) return undefined;
    const all = db.prepare(`SELECT count(*) FROM events e WHERE e.time >= ? AND e.time < ? AND ${where.sql}`).pluck();
    const failed = db
      .prepare(`SELECT count(*) FROM events e WHERE e.outcome = 'failure' AND e.time >= ? AND e.time < ? AND ${where.sql}`)
      .pluck();
    const out: HistogramBucket[] = [];
    for (let start = first; start <= bounds.hi; start += bucketMs) {
      const range = [Math.max(lo, start), Math.min(hi, start + bucketMs)];
      const count = all.get(...range, ...where.params) as number;
      if (count > 0) out.push({ start, count, failures: failed.get(...range, ...where.params) as number });
    }
    return out;
  }

  const selectTimeBounds = db.prepare(timeSpanSql('e.time >= ? AND e.time < ?'));
  const selectMinutes = db.prepare(`SELECT minute, sum(events) AS events, sum(failures) AS failures FROM event_minutes
    WHERE minute >= ? AND minute < ? GROUP BY minute`);
  const countRange = db.prepare('SELECT count(*) FROM events e WHERE e.time >= ? AND e.time < ?').pluck();
  const failuresRange = db
    .prepare("SELECT count(*) FROM events e WHERE e.outcome = 'failure' AND e.time >= ? AND e.time < ?")
    .pluck();

  /**
   * Every event of a time range from the per-minute counts (event_minutes): whole minutes from the counts, the
   * partial minute at each end from the time index; `add` gets (time, events, failures) per piece. False before
   * epoch 0 (not kept there).
   */
  function minuteCounts(
    from: number | undefined,
    to: number | undefined,
    add: (time: number, events: number, failures: number) => void,
  ): boolean {
    const range = [from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER];
    const span = selectTimeBounds.get(...range, ...range) as { lo: number | null; hi: number | null };
    if (span.lo === null || span.hi === null) return true;
    if (span.lo < 0) return false;
    const lo = Math.max(from ?? span.lo, span.lo);
    const hi = Math.min(to ?? span.hi + 1, span.hi + 1);
    const firstWhole = Math.ceil(lo / MINUTE) * MINUTE;
    const endWhole = Math.max(firstWhole, Math.floor(hi / MINUTE) * MINUTE);
    const rows = selectMinutes.all(firstWhole / MINUTE, endWhole / MINUTE) as {
      minute: number;
      events: number;
      failures: number;
    }[];
    for (const row of rows) add(row.minute * MINUTE, row.events, row.failures);
    // The partial minutes at the ends (or the whole range inside one minute).
    const edges =
      firstWhole >= hi
        ? [[lo, hi]]
        : [
            [lo, firstWhole],
            [endWhole, hi],
          ];
    for (const [a, b] of edges) {
      if (a! < b!) add(a!, countRange.get(a, b) as number, failuresRange.get(a, b) as number);
    }
    return true;
  }

  function fromMinutes(from: number | undefined, to: number | undefined, bucketMs: number): HistogramBucket[] | undefined {
    const buckets = new Map<number, HistogramBucket>();
    const known = minuteCounts(from, to, (time, count, failures) => {
      if (count <= 0) return;
      const start = Math.floor(time / bucketMs) * bucketMs;
      const bucket = buckets.get(start);
      if (bucket) {
        bucket.count += count;
        bucket.failures += failures;
      } else buckets.set(start, { start, count, failures });
    });
    return known ? [...buckets.values()].sort((x, y) => x.start - y.start) : undefined;
  }

  /** The exact number of events in a time range, from the per-minute counts (undefined when they cannot say). */
  function totalFromMinutes(from: number | undefined, to: number | undefined): number | undefined {
    let total = 0;
    return minuteCounts(from, to, (_time, count) => {
      total += count;
    })
      ? total
      : undefined;
  }

  const countRangeUpTo = db
    .prepare('SELECT count(*) FROM (SELECT 1 FROM events e WHERE e.time >= ? AND e.time < ? LIMIT ?)')
    .pluck();
  /** True when the time range holds more than `n` events (an index walk of at most n + 1 entries). */
  const rangeHoldsMoreThan = (from: number | undefined, to: number | undefined, n: number) =>
    (countRangeUpTo.get(from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER, n + 1) as number) > n;

  /**
   * True when SQLite counts the filter's matches through an index led by one of the filter's own columns
   * (`outcome=?`, `action=?`…): the count then reads the matches only, not every row of the time range.
   */
  const countedByFilterIndex = (sql: string, params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN SELECT count(*) FROM events e WHERE ${sql}`).all(...params) as { detail: string }[])
      .filter((step) => /^(SCAN|SEARCH) e\b/.test(step.detail))
      .every((step) => /USING (COVERING )?INDEX \w+ \((?!time\b)\w+=/.test(step.detail));

  /**
   * True when the time range holds fewer events than every full-text test of the filter matches (in the whole store):
   * walking the range's rows and checking each against the matches then costs less than looking up every match's row
   * (a word of 815,000 events, a day of 333,000 in a 10M-event store: 0.4 s against 2.4 s).
   */
  const rangeSmallerThanMatches = (where: CompiledWhere, from: number | undefined, to: number | undefined) => {
    if (where.fullTextMatches.length === 0 || (from === undefined && to === undefined)) return false;
    const rows =
      totalFromMinutes(from, to) ??
      (countRangeUpTo.get(from ?? Number.MIN_SAFE_INTEGER, to ?? Number.MAX_SAFE_INTEGER, RANGE_WALK_LIMIT) as number);
    if (rows >= RANGE_WALK_LIMIT) return false;
    return where.fullTextMatches.every((m) => (countFullTextUpTo.get(m, rows + 1) as number) > rows);
  };

  const count = (sql: string, params: unknown[]) =>
    (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${sql}`).get(...params) as { n: number }).n;

  return {
    // One read transaction: the page, its total and its tail cursor see the same snapshot of the store.
    searchEvents: (query, now) =>
      db.transaction(() => {
        const limit = pageSize(query.limit);
        const order = timeOrder(query.order);
        const [cmp, dir] = order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC'];
        return withWhere(query, now, (whereSql, whereParams, where) => {
          const cursor = query.cursor ? decodeCursor(query.cursor, order) : undefined;
          let rows: SummaryRow[];
          let total: number;
          let totalAtLeast = false;
          const params = [...whereParams];
          let after = '';
          if (cursor) {
            after = ` AND (e.time ${cmp} ? OR (e.time = ? AND e.seq ${cmp} ?))`;
            params.push(cursor.time, cursor.time, cursor.seq);
          }
          const pageOf = (sql: string) =>
            db
              .prepare(
                `SELECT ${SUMMARY_COLUMNS} FROM events e WHERE ${sql}${after} ORDER BY e.time ${dir}, e.seq ${dir} LIMIT ?`,
              )
              .all(...params, limit + 1) as SummaryRow[];
          const countUpTo = (sql: string) =>
            db
              .prepare(`SELECT count(*) FROM (SELECT 1 FROM events e WHERE ${sql} LIMIT ?)`)
              .pluck()
              .get(...whereParams, FULL_TEXT_COUNT_LIMIT + 1) as number;
          /** Many matches: walk the time index in page order, stopping at the page; else read it from the matches. */
          const fullTextPage = () => walking(() => pageOf(`walk_budget() AND ${inTimeOrder(whereSql)}`)) ?? pageOf(whereSql);
          if (matchers.length > 0) {
            // One pass over the documents, stopping after FULL_TEXT_COUNT_LIMIT + 1 matches: it counts them and keeps
            // the best page keys after the cursor (instead of a page query and a count query that would each parse
            // the same documents). Past the cap the count says "at least", as full-text counts do. The pass walks the
            // time index in page order when that reads fewer rows (then its first matches are the first page);
            // otherwise it sees only some of the matches past the cap, and the page is read in page order after it.
            const inTime = rangeSmallerThanMatches(where, query.from, query.to);
            const passSql = inTime ? `${inTimeOrder(whereSql)} ORDER BY e.time ${dir}, e.seq ${dir}` : whereSql;
            const found = db
              .prepare(
                `SELECT count(*) AS n, page_keys(m.time, m.seq, ?, ?, ?, ?) AS keys FROM (SELECT e.time, e.seq FROM events e WHERE ${passSql} LIMIT ?) m`,
              )
              .get(
                order === 'asc' ? 1 : 0,
                cursor?.time ?? null,
                cursor?.seq ?? null,
                limit + 1,
                ...whereParams,
                FULL_TEXT_COUNT_LIMIT + 1,
              ) as { n: number; keys: string | null };
            total = Math.min(found.n, FULL_TEXT_COUNT_LIMIT);
            totalAtLeast = found.n > FULL_TEXT_COUNT_LIMIT;
            if (totalAtLeast && !(inTime && !cursor)) rows = where.fullTextMatches.length > 0 ? fullTextPage() : pageOf(whereSql);
            else {
              const seqs = found.keys ? (JSON.parse(found.keys) as number[]) : [];
              rows =
                seqs.length === 0
                  ? []
                  : (db
                      .prepare(`SELECT ${SUMMARY_COLUMNS} FROM events e WHERE e.seq IN (${seqs.map(() => '?').join(',')})
                ORDER BY e.time ${dir}, e.seq ${dir}`)
                      .all(...seqs) as SummaryRow[]);
            }
          } else if (where.fullTextMatches.length > 0) {
            // The capped count reads the list of matches as it goes.
            rows = everyTestCommon(where) ? fullTextPage() : pageOf(whereSql);
            // In time order when that reads fewer rows than the full-text matches.
            const n = countUpTo(rangeSmallerThanMatches(where, query.from, query.to) ? inTimeOrder(whereSql) : whereSql);
            total = Math.min(n, FULL_TEXT_COUNT_LIMIT);
            totalAtLeast = n > FULL_TEXT_COUNT_LIMIT;
          } else {
            rows = pageOf(whereSql);
            const bare = onlyTimeRange(filterOf(query)) ? totalFromMinutes(query.from, query.to) : undefined;
            const n = bare ?? countUpTo(whereSql);
            if (bare !== undefined || n <= FULL_TEXT_COUNT_LIMIT) total = n;
            else if (!countedByFilterIndex(whereSql, whereParams) && rangeHoldsMoreThan(query.from, query.to, exactCountRange)) {
              // Many matches in a large range: counting them all could scan every row of it (columns without an
              // index), so the count stops here and says "at least", as full-text counts do.
              total = FULL_TEXT_COUNT_LIMIT;
              totalAtLeast = true;
            } else total = count(whereSql, whereParams);
          }
          const shown = rows.slice(0, limit);
          const last = shown.at(-1);
          return {
            events: shown.map(summary),
            ...(rows.length > limit && last ? { nextCursor: encodeCursor({ time: last.time, seq: last.seq, order }) } : {}),
            total,
            ...(totalAtLeast ? { totalAtLeast } : {}),
            tailCursor: encodeTailCursor(newestSeq()),
          };
        });
      })(),

    // Selected by ingestion order (seq), whatever the event time: a late event with an old time is still "new".
    tailEvents: (filter, after, limit = TAIL_LIMIT, now) =>
      db.transaction(() => {
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
          throw new StoreQueryError('limit', 'must be an integer between 1 and 1000');
        const newest = newestSeq();
        if (after === undefined) return { events: [], cursor: encodeTailCursor(newest), more: false };
        const from = decodeTailCursor(after);
        return withWhere(filter, now, (sql, params) => {
          // NOT INDEXED: walk the rows after the cursor by seq, not a time or field index over older events.
          const rows = db
            .prepare(`SELECT ${SUMMARY_COLUMNS} FROM events e NOT INDEXED WHERE e.seq > ? AND ${sql} ORDER BY e.seq LIMIT ?`)
            .all(from, ...params, limit + 1) as SummaryRow[];
          const more = rows.length > limit;
          const page = rows.slice(0, limit);
          const cursor = more ? page.at(-1)!.seq : Math.max(from, newest);
          return { events: page.map(summary), cursor: encodeTailCursor(cursor), more };
        });
      })(),

    histogram: (filter, bucketMs, now) => {
      if (!Number.isInteger(bucketMs) || bucketMs < 1000)
        throw new StoreQueryError('bucket', 'must be a whole number of milliseconds ≥ 1000');
      return withWhere(filter, now, (sql, params, where) => {
        if (onlyTimeRange(filter) && bucketMs % MINUTE === 0) {
          const rolled = fromMinutes(filter.from, filter.to, bucketMs);
          if (rolled) return rolled;
        }
        // Without documents or full text to read, one indexed count per bucket walks the index with far less work
        // per row than grouping every row (measured 4.6× faster on 3.7M events).
        if (where.matchers.length === 0 && where.fullTextMatches.length === 0) {
          const counted = countPerBucket(filter, now, bucketMs);
          if (counted) return counted;
        }
        return db
          .prepare(`SELECT CAST(e.time / ? AS INTEGER) * ? AS start, count(*) AS count, sum(e.outcome = 'failure') AS failures
          FROM events e WHERE ${sql} GROUP BY 1 ORDER BY 1`)
          .all(bucketMs, bucketMs, ...params) as HistogramBucket[];
      });
    },

    timeBounds: (filter, now) =>
      withWhere(filter, now, (sql, params) => {
        const row = db.prepare(timeSpanSql(sql, 'oldest', 'newest')).get(...params, ...params) as {
          oldest: number | null;
          newest: number | null;
        };
        return row.oldest === null || row.newest === null ? undefined : { oldest: row.oldest, newest: row.newest };
      }),

    topValues: (filter, field, limit, now) =>
      withWhere(filter, now, (sql, params) => {
        const column = FACET_COLUMNS[field];
        const matched = count(sql, params);
        const exact = matched <= FACET_EXACT_LIMIT;
        const values = db
          .prepare(
            exact
              ? `SELECT ${column} AS value, count(*) AS count FROM events e WHERE ${sql} AND ${column} IS NOT NULL
                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`
              : `SELECT v AS value, count(*) AS count FROM
                 (SELECT ${column} AS v FROM events e WHERE ${sql} ORDER BY e.time DESC LIMIT ${FACET_EXACT_LIMIT})
                 WHERE v IS NOT NULL GROUP BY v ORDER BY count DESC, v LIMIT ?`,
          )
          .all(...params, limit) as FacetResult['values'];
        return { values, exact, sample: exact ? matched : FACET_EXACT_LIMIT, matched };
      }),

    getEvent: (id) => {
      const row = selectEvent.get(eventIdKey(id), id) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      // The decoded block stays cached: an export reads the events of one block one after the other.
      const entry = blocks.entry(row.block as number, row.slot as number);
      if (!entry) return undefined;
      return {
        id: row.id as string,
        tenantId: row.tenant_id as string,
        tenantName: row.tenant_name as string,
        contentType: row.content_type as string,
        time: row.time as number,
        ingestedAt: row.ingested_at as number,
        description: row.description as string,
        user: row.user as string | null,
        sourceIp: row.source_ip as string | null,
        action: row.action as string | null,
        workload: row.workload as string | null,
        outcome: row.outcome as string | null,
        ecs: entry[0],
        raw: entry[1],
        alertIds: (selectAlertIds.all(id) as { id: string }[]).map((r) => r.id),
      };
    },

    forgetBlocks: () => blocks.clear(),
  };
}
