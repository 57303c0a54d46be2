import pg from 'pg';
import type { Logger } from '../../observability/logger.ts';
import { redactUrl } from '../../state/postgres/postgres-state-store.ts';
import { inTransaction } from '../../state/postgres/transaction.ts';
import type { SinkHealth, SinkHealthSource } from '../../web/sink-health.ts';
import { formatSpan } from '../../web/views/format.ts';
import { StoreError } from '../errors.ts';

/** A worker's report older than this is removed (the worker was taken out of the deployment). */
const FORGET_AFTER = '7 days';
/** Reads and reports never hold the page (or /healthz) longer than this. */
const STATEMENT_TIMEOUT_MS = 3000;

export interface WorkerSinkHealthOptions {
  /** The event store's database (its migration created `o365_sink_health`). */
  url: string;
  /** This worker's name (`scale_out.node_id`): its rows are replaced by each report. */
  nodeId: string;
  /** This process's outputs (the SinkHealthTracker of its sinks). */
  local: SinkHealthSource;
  /** How often this worker reports (`scale_out.heartbeat`). */
  heartbeatMs: number;
  /** A worker whose last report is older than this is shown as stale (default three heartbeats). */
  staleAfterMs?: number;
  logger?: Logger;
}

interface ReportRow {
  node_id: string;
  health: SinkHealth;
  /** Milliseconds since the report when it was read, by the database's clock (the workers' clocks may disagree). */
  age: number;
  reported_at: number;
}

/** The other workers' reports as the last heartbeat read them, or why it could not. */
type Others = { ok: true; rows: ReportRow[]; readAt: number } | { ok: false; error: { message: string; at: number } } | undefined;

/**
 * The outputs of every worker sharing the PostgreSQL store: at every heartbeat each worker reports its own outputs'
 * health to `o365_sink_health` and reads the others' reports; the page (and /healthz) of any worker shows its own
 * outputs as they are now and the others' as of its last heartbeat, each row naming its worker, without waiting on
 * the database. A worker that stopped reporting (killed, hung, cut off from the database) keeps its last known rows,
 * shown as `stale` with the age of the report (the database's clock, plus the time since it was read): never as ok.
 * If the database could not be read, the local outputs are still shown, with one more row (`workers`, error).
 */
export class WorkerSinkHealth implements SinkHealthSource {
  readonly #pool: pg.Pool;
  readonly #options: WorkerSinkHealthOptions;
  readonly #staleAfterMs: number;
  #timer: NodeJS.Timeout | undefined;
  #reporting: Promise<void> = Promise.resolve();
  #others: Others;

  constructor(options: WorkerSinkHealthOptions) {
    this.#options = options;
    this.#staleAfterMs = options.staleAfterMs ?? 3 * options.heartbeatMs;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 1,
      connectionTimeoutMillis: STATEMENT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: STATEMENT_TIMEOUT_MS,
    });
    this.#pool.on('error', () => undefined);
  }

  /** Heartbeats now, then every `heartbeatMs`. */
  start(): void {
    if (this.#timer) return;
    void this.heartbeat();
    this.#timer = setInterval(() => void this.heartbeat(), this.#options.heartbeatMs);
    this.#timer.unref();
  }

  /** One heartbeat: reports this worker's outputs, then reads the other workers' reports (never throws). */
  async heartbeat(): Promise<void> {
    try {
      await this.#report(await this.#options.local.sinkHealth());
      const { rows } = await this.#pool.query<ReportRow>(
        `SELECT node_id, health, (extract(epoch FROM now() - reported_at) * 1000)::float8 AS age,
           (extract(epoch FROM reported_at) * 1000)::float8 AS reported_at
         FROM o365_sink_health WHERE node_id <> $1 ORDER BY node_id, name`,
        [this.#options.nodeId],
      );
      this.#others = { ok: true, rows, readAt: performance.now() };
    } catch (err) {
      const message = redactUrl((err as Error).message);
      this.#others = { ok: false, error: { message, at: Date.now() } };
      this.#options.logger?.warn(
        { err: message },
        'output health could not be shared through PostgreSQL; retrying at the next heartbeat',
      );
    }
  }

  async sinkHealth(): Promise<SinkHealth[]> {
    const local = (await this.#options.local.sinkHealth()).map((s) => ({ ...s, worker: this.#options.nodeId }));
    const others = this.#others;
    if (!others) return local;
    if (!others.ok)
      return [
        ...local,
        {
          name: 'workers',
          type: 'postgres',
          status: 'error',
          reason: "the other workers' outputs are unknown: their reports cannot be read from PostgreSQL",
          deadLettered: 0,
          lastError: others.error,
        },
      ];
    const sinceRead = performance.now() - others.readAt;
    return [...local, ...others.rows.map((row) => this.#remote(row, row.age + sinceRead))];
  }

  /** Stops reporting; the last report stays (shown as stale once it is old, unless the worker starts again). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#reporting;
    await this.#pool.end();
  }

  #remote(row: ReportRow, age: number): SinkHealth {
    const health: SinkHealth = { ...row.health, worker: row.node_id, reportedAt: Math.round(row.reported_at) };
    if (age <= this.#staleAfterMs) return health;
    const was = row.health.reason ? `${row.health.status}: ${row.health.reason}` : row.health.status;
    return {
      ...health,
      status: 'stale',
      reason: `worker ${row.node_id} has not reported for ${formatSpan(age)} (stopped or cut off); last reported ${was}`,
    };
  }

  /** Replaces this worker's rows with `outputs` (one transaction: a reader never sees half a report). */
  #report(outputs: readonly SinkHealth[]): Promise<void> {
    const run = this.#reporting.then(() =>
      inTransaction(this.#pool, async (client) => {
        await client.query('DELETE FROM o365_sink_health WHERE node_id = $1 AND NOT (name = ANY($2::text[]))', [
          this.#options.nodeId,
          outputs.map((s) => s.name),
        ]);
        await client.query(
          `INSERT INTO o365_sink_health (node_id, name, health, reported_at)
           SELECT $1, h->>'name', h, now() FROM jsonb_array_elements($2::jsonb) AS h
           ON CONFLICT (node_id, name) DO UPDATE SET health = excluded.health, reported_at = excluded.reported_at`,
          [this.#options.nodeId, JSON.stringify(outputs.map(({ worker: _w, reportedAt: _r, ...s }) => s))],
        );
        await client.query(`DELETE FROM o365_sink_health WHERE reported_at < now() - interval '${FORGET_AFTER}'`);
      }).catch((err: unknown) => {
        throw new StoreError(`reporting output health failed: ${(err as Error).message}`, { cause: err });
      }),
    );
    this.#reporting = run.catch(() => undefined);
    return run;
  }
}
