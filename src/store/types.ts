import type { Alert } from '../core/alert.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';

/** One row of the events list: the indexed fields, without the ECS and raw documents. */
export interface EventSummary {
  id: string;
  tenantId: string;
  tenantName: string;
  contentType: string;
  time: number;
  user: string | null;
  sourceIp: string | null;
  action: string | null;
  workload: string | null;
  outcome: string | null;
  description: string;
  /** True when at least one stored alert cites this event. */
  alerted: boolean;
}

/** A stored event with everything: the processed event, its indexed fields and the alerts that cite it. */
export interface StoredEvent extends ProcessedEvent {
  ingestedAt: number;
  user: string | null;
  sourceIp: string | null;
  action: string | null;
  workload: string | null;
  outcome: string | null;
  alertIds: string[];
}

export interface EventPage {
  events: EventSummary[];
  /** Pass back as `cursor` (with the same `order`) for the next page; absent on the last page. */
  nextCursor?: string;
  /** Every matching event, counted exactly; with `totalAtLeast`, the number counted before counting stopped. */
  total: number;
  /**
   * True when more than `total` events match: a full-text search of the SQLite store counts up to
   * FULL_TEXT_COUNT_LIMIT (event-reads.ts) and says so instead of counting a large result to the end.
   */
  totalAtLeast?: boolean;
  /**
   * Ingestion position of the newest event stored when this search ran (opaque): pass it to `tailEvents` to get
   * exactly the events ingested after the page was read.
   */
  tailCursor: string;
}

/** Events ingested after a tail cursor (live tail): selected by ingestion order, whatever their event time. */
export interface TailPage {
  /** Matching events ingested after the cursor, oldest ingested first, at most the limit asked for. */
  events: EventSummary[];
  /** Pass back as `after` on the next call: the position of the last event examined (or the one given when none). */
  cursor: string;
  /** True when more events were ingested after `cursor` than the limit allowed to read (call again at once). */
  more: boolean;
}

export interface AlertPage {
  alerts: Alert[];
  nextCursor?: string;
}

export interface AlertWithEvents {
  alert: Alert;
  /** The matched events still in the store, newest first. */
  events: EventSummary[];
  /** Matched event ids no longer (or not yet) in the store. */
  missingEventIds: string[];
}

export interface HistogramBucket {
  /** Bucket start, epoch ms. */
  start: number;
  count: number;
  failures: number;
}

/** Per tenant × content type counters kept by the store. */
export interface StreamStats {
  tenantId: string;
  tenantName: string;
  contentType: string;
  eventsTotal: number;
  newestEventAt: number;
  lastInsertAt: number;
  /** Average over the last 5 minutes. */
  eventsPerMinute: number;
}

export type FacetField = 'user' | 'sourceIp' | 'action' | 'workload' | 'outcome' | 'tenant';

export interface FacetValue {
  value: string;
  count: number;
}

/** Top values of a field: exact over every match, or (when `exact` is false) counted over the newest `sample`. */
export interface FacetResult {
  values: FacetValue[];
  exact: boolean;
  /** Events the counts were taken over: every match when exact, else the newest `sample` of `matched`. */
  sample: number;
  /** Matching events in all. */
  matched: number;
}

export interface RetentionResult {
  deletedEvents: number;
  deletedAlerts: number;
}
