import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import type { EventQuery } from '../store/event-query.ts';
import type { EventStore, SearchOptions } from '../store/event-store.ts';
import type { EventSummary } from '../store/types.ts';
import { WebQueryError } from './errors.ts';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows read from the store per step: the export is pulled page by page as the client reads, with no row cap. */
const PAGE = 500;

const CSV_COLUMNS: [string, (e: EventSummary) => string | null][] = [
  ['time', (e) => new Date(e.time).toISOString()],
  ['tenant', (e) => e.tenantName],
  ['tenant_id', (e) => e.tenantId],
  ['content_type', (e) => e.contentType],
  ['operation', (e) => e.action],
  ['user', (e) => e.user],
  ['source_ip', (e) => e.sourceIp],
  ['workload', (e) => e.workload],
  ['outcome', (e) => e.outcome],
  ['description', (e) => e.description],
  ['id', (e) => e.id],
];

export function exportFormatOf(value: string | undefined): ExportFormat {
  const format = EXPORT_FORMATS.find((f) => f === (value ?? 'csv'));
  if (!format) throw new WebQueryError('format', `must be one of ${EXPORT_FORMATS.join(', ')}`);
  return format;
}

/**
 * Audit data is attacker-controlled: a cell starting with = + - @ (or tab/CR) would run as a formula in a
 * spreadsheet, so it is prefixed with a quote (OWASP CSV injection advice). Quoting is csv-stringify's.
 */
export function formulaSafe(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

const csvRows = (rows: string[][]): string => stringify(rows, { record_delimiter: '\r\n' });

async function* pages(store: EventStore, query: EventQuery, options: SearchOptions): AsyncGenerator<EventSummary[]> {
  let cursor: string | undefined;
  for (;;) {
    const page = await store.searchEvents({ ...query, limit: PAGE, ...(cursor ? { cursor } : {}) }, options);
    if (page.events.length === 0) return;
    yield page.events;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

async function* csvLines(store: EventStore, query: EventQuery, options: SearchOptions): AsyncGenerator<string> {
  yield csvRows([CSV_COLUMNS.map(([name]) => name)]);
  for await (const events of pages(store, query, options)) {
    yield csvRows(events.map((e) => CSV_COLUMNS.map(([, get]) => formulaSafe(get(e)))));
  }
}

async function* ndjsonLines(store: EventStore, query: EventQuery, options: SearchOptions): AsyncGenerator<string> {
  for await (const events of pages(store, query, options)) {
    const stored = await store.getEvents(events.map((e) => e.id));
    yield stored.map((event) => `${JSON.stringify(event)}\n`).join('');
  }
}

/** A stream of every matching event, newest first (a stopped download stops the reading). */
export function exportStream(store: EventStore, query: EventQuery, format: ExportFormat, options: SearchOptions = {}): Readable {
  const { cursor: _cursor, limit: _limit, ...rest } = query;
  return Readable.from(format === 'csv' ? csvLines(store, rest, options) : ndjsonLines(store, rest, options));
}
