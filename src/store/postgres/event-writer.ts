import type pg from 'pg';
import type { Alert } from '../../core/alert.ts';
import type { ProcessedEvent } from '../../core/processed-event.ts';
import type { Logger } from '../../observability/logger.ts';
import { inTransaction } from '../../state/postgres/transaction.ts';
import { levelRank } from '../alert-query.ts';
import { StoreError } from '../errors.ts';
import { indexedFields } from '../indexed-fields.ts';
import { type DayPartitions, dayOf } from './partitions.ts';
import { pgText } from './pg-text.ts';
import { searchWordsOf } from './text-search.ts';
import { countStreamEvent, type StreamCount } from '../stream-counts.ts';

/**
 * Events waiting to be written at most (while PostgreSQL is slow or away): beyond, insertEvents refuses the batch and
 * the pipeline delivers it again later. A batch is always taken when nothing waits, however large.
 */
export const MAX_QUEUED_EVENTS = 20_000;
/** Events written per statement. */
const CHUNK = 1000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/** no partition of relation found for row: another worker's retention dropped a partition this process knew. */
const NO_PARTITION = '23514';

type Item = { kind: 'events'; events: readonly ProcessedEvent[]; now: number } | { kind: 'alerts'; alerts: readonly Alert[] };

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Characters of an indexed column at most: a B-tree entry must stay well under its 2.7 kB limit. */
const MAX_INDEXED = 512;

function indexed(value: string | null): string | null {
  return value !== null && value.length > MAX_INDEXED ? value.slice(0, MAX_INDEXED) : value;
}

/** The JSON of a value with NUL characters and lone surrogates made storable (checked on the text: rare, so cheap). */
function storableJson(value: unknown): string {
  const json = JSON.stringify(value);
  return /\\u0000|\\ud[89a-f]/i.test(json)
    ? JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? pgText(v) : v))
    : json;
}

/** The columns of an event row as the insert's json_to_recordset reads them. */
const ROW_TYPE = `id text, time bigint, tenant_id text, tenant_name text, content_type text, user_name text,
  source_ip text, action text, workload text, outcome text, category text, country text, description text,
  doc json, words text`;

/**
 * One statement for a whole chunk: the rows travel as one JSON array (one JSON.stringify of the chunk, documents
 * included, and no per-value escaping), unpacked by json_to_recordset; the new rows come back for the counters.
 */
const INSERT_EVENTS = `INSERT INTO o365_events (id, time, tenant_id, tenant_name, content_type, user_name, source_ip, action,
    workload, outcome, category, country, description, doc, ingested_at, search)
  SELECT t.id, t.time, t.tenant_id, t.tenant_name, t.content_type, t.user_name, t.source_ip, t.action, t.workload,
    t.outcome, t.category, t.country, t.description, t.doc, $2, to_tsvector('simple', t.words)
  FROM json_to_recordset($1::json) AS t(${ROW_TYPE})
  ON CONFLICT (id_key, time) DO NOTHING
  RETURNING tenant_id, tenant_name, content_type, time`;

function rowsOf(events: readonly ProcessedEvent[]): string {
  return storableJson(
    events.map((event) => {
      const f = indexedFields(event);
      return {
        id: event.id,
        time: Math.trunc(event.time),
        tenant_id: indexed(event.tenantId),
        tenant_name: indexed(event.tenantName),
        content_type: event.contentType,
        user_name: indexed(f.user),
        source_ip: indexed(f.sourceIp),
        action: indexed(f.action),
        workload: indexed(f.workload),
        outcome: indexed(f.outcome),
        category: indexed(f.category),
        country: indexed(f.country),
        description: event.description,
        doc: { ecs: event.ecs, raw: event.raw },
        words: searchWordsOf(event),
      };
    }),
  );
}

interface NewRow {
  tenant_id: string;
  tenant_name: string;
  content_type: string;
  time: number;
}

async function countNew(client: pg.PoolClient, rows: NewRow[], now: number): Promise<void> {
  const streams = new Map<string, StreamCount>();
  const days = new Map<number, number>();
  for (const row of rows) {
    countStreamEvent(streams, {
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      contentType: row.content_type,
      time: row.time,
    });
    const day = dayOf(row.time);
    days.set(day, (days.get(day) ?? 0) + 1);
  }
  if (days.size > 0)
    await client.query(
      `INSERT INTO o365_event_days (day, events) SELECT * FROM unnest($1::int[], $2::bigint[])
       ON CONFLICT (day) DO UPDATE SET events = o365_event_days.events + excluded.events`,
      [[...days.keys()], [...days.values()]],
    );
  const list = [...streams.values()];
  if (list.length === 0) return;
  const tenants = list.map((s) => s.tenantId);
  const contentTypes = list.map((s) => s.contentType);
  const counts = list.map((s) => s.count);
  await client.query(
    `INSERT INTO o365_stream_totals (tenant_id, content_type, tenant_name, events_total, newest_event_at, last_insert_at)
     SELECT t.*, $6::bigint FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS t
     ON CONFLICT (tenant_id, content_type) DO UPDATE SET tenant_name = excluded.tenant_name,
       events_total = o365_stream_totals.events_total + excluded.events_total,
       newest_event_at = greatest(o365_stream_totals.newest_event_at, excluded.newest_event_at),
       last_insert_at = excluded.last_insert_at`,
    [tenants, contentTypes, list.map((s) => s.tenantName), counts, list.map((s) => s.newest), now],
  );
  await client.query(
    `INSERT INTO o365_stream_minutes (tenant_id, content_type, minute, events)
     SELECT t.tenant_id, t.content_type, $4::bigint, t.events FROM unnest($1::text[], $2::text[], $3::bigint[])
       AS t(tenant_id, content_type, events)
     ON CONFLICT (tenant_id, content_type, minute) DO UPDATE SET events = o365_stream_minutes.events + excluded.events`,
    [tenants, contentTypes, counts, Math.floor(now / 60_000)],
  );
}

async function writeAlerts(client: pg.PoolClient, alerts: readonly Alert[]): Promise<void> {
  // A grouped alert is raised again with the same id, a higher count and more events: the newest version wins.
  // Of one id raised twice in a batch, the last one is written (one row may not be updated twice by a statement).
  const latest = [...new Map(alerts.map((a) => [a.id, a])).values()];
  await client.query(
    `INSERT INTO o365_alerts (id, rule_id, title, level, level_rank, tenant_id, tenant_name, time, created_at, json)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bigint[],
       $9::bigint[], $10::jsonb[])
     ON CONFLICT (id) DO UPDATE SET time = greatest(o365_alerts.time, excluded.time), json = excluded.json`,
    [
      latest.map((a) => pgText(a.id)),
      latest.map((a) => pgText(a.ruleId)),
      latest.map((a) => pgText(a.title)),
      latest.map((a) => a.level),
      latest.map((a) => levelRank(a.level)),
      latest.map((a) => pgText(a.tenantId)),
      latest.map((a) => (a.tenantName === undefined ? null : pgText(a.tenantName))),
      latest.map((a) => Math.trunc(a.time)),
      latest.map((a) => Math.trunc(a.createdAt)),
      latest.map((a) => storableJson(a)),
    ],
  );
  const alertIds = latest.flatMap((a) => a.eventIds.map(() => pgText(a.id)));
  const eventIds = latest.flatMap((a) => a.eventIds.map(pgText));
  if (eventIds.length > 0)
    await client.query(
      `INSERT INTO o365_alert_events (alert_id, event_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [alertIds, eventIds],
    );
}

/**
 * The write side of the PostgreSQL store. insertEvents / insertAlerts only queue (the caller's event loop never waits
 * on the database); one write at a time takes everything queued (batches that arrived meanwhile go together, in
 * chunked multi-row statements, one transaction) and `flush` resolves when what was queued before it is committed.
 * A failed write keeps its items queued and is retried with backoff; waiting flushes are rejected meanwhile.
 */
export class EventWriter {
  readonly #pool: pg.Pool;
  readonly #partitions: DayPartitions;
  readonly #logger: Logger | undefined;
  #queue: Item[] = [];
  #queuedEvents = 0;
  /** Items ever queued / ever written: a flush waits for `written` to reach `queued` as it was when called. */
  #queued = 0;
  #written = 0;
  #waiters: Waiter[] = [];
  #writing = false;
  #retryMs = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(pool: pg.Pool, partitions: DayPartitions, logger?: Logger) {
    this.#pool = pool;
    this.#partitions = partitions;
    this.#logger = logger;
  }

  insertEvents(events: readonly ProcessedEvent[], now: number): void {
    if (events.length === 0) return;
    if (this.#closed) throw new StoreError('the event store is closed');
    if (this.#queuedEvents > 0 && this.#queuedEvents + events.length > MAX_QUEUED_EVENTS)
      throw new StoreError(
        `PostgreSQL is not keeping up: ${this.#queuedEvents} events wait to be stored (the batch will be delivered again)`,
      );
    this.#queuedEvents += events.length;
    this.#enqueue({ kind: 'events', events, now });
  }

  insertAlerts(alerts: readonly Alert[]): void {
    if (alerts.length === 0) return;
    if (this.#closed) throw new StoreError('the event store is closed');
    this.#enqueue({ kind: 'alerts', alerts });
  }

  flush(): Promise<void> {
    if (this.#written >= this.#queued) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ target: this.#queued, resolve, reject });
      // A flush is also a retry: it does not wait out the backoff of a write that failed.
      if (this.#retryTimer) {
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
        void this.#write();
      }
    });
  }

  /** Writes what is queued (bounded wait) and refuses anything more. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (this.#written < this.#queued && !this.#writing) void this.#write();
    await Promise.race([this.flush().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000).unref())]);
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new StoreError('the event store is closed'));
  }

  #enqueue(item: Item): void {
    this.#queue.push(item);
    this.#queued++;
    if (!this.#writing && !this.#retryTimer) void this.#write();
  }

  async #write(): Promise<void> {
    if (this.#writing) return;
    this.#writing = true;
    try {
      while (this.#queue.length > 0) {
        const items = this.#queue.slice();
        try {
          await this.#writeItems(items);
        } catch (err) {
          this.#failed(err);
          return;
        }
        this.#queue.splice(0, items.length);
        this.#queuedEvents -= items.reduce((n, i) => n + (i.kind === 'events' ? i.events.length : 0), 0);
        this.#written += items.length;
        this.#retryMs = 0;
        const done = this.#waiters.filter((w) => w.target <= this.#written);
        this.#waiters = this.#waiters.filter((w) => w.target > this.#written);
        for (const waiter of done) waiter.resolve();
      }
    } finally {
      this.#writing = false;
    }
  }

  #failed(err: unknown): void {
    const error = new StoreError(`storing events in PostgreSQL failed: ${(err as Error).message}`, { cause: err });
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
    this.#retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.#retryMs * 2));
    this.#logger?.warn({ err: error.message, retryInMs: this.#retryMs }, 'event store write failed; retrying');
    if (this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#write();
    }, this.#retryMs);
    this.#retryTimer.unref();
  }

  async #writeItems(items: readonly Item[]): Promise<void> {
    const batches = items.filter((i): i is Extract<Item, { kind: 'events' }> => i.kind === 'events');
    const alerts = items.flatMap((i) => (i.kind === 'alerts' ? i.alerts : []));
    await this.#partitions.ensure(batches.flatMap((b) => b.events.map((e) => dayOf(e.time))));
    const run = () =>
      inTransaction(this.#pool, async (client) => {
        for (const batch of batches) {
          for (let i = 0; i < batch.events.length; i += CHUNK) {
            const chunk = batch.events.slice(i, i + CHUNK);
            const { rows } = await client.query<NewRow>(INSERT_EVENTS, [rowsOf(chunk), batch.now]);
            await countNew(client, rows, batch.now);
          }
        }
        if (alerts.length > 0) await writeAlerts(client, alerts);
      });
    try {
      await run();
    } catch (err) {
      if ((err as { code?: string }).code !== NO_PARTITION) throw err;
      this.#partitions.forget();
      await this.#partitions.ensure(batches.flatMap((b) => b.events.map((e) => dayOf(e.time))));
      await run();
    }
  }
}
