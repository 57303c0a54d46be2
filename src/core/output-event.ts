/**
 * What flows from the pipeline into sinks: one document, already shaped for output
 * (raw record, ECS document, both, or an alert), plus the identity needed for idempotent delivery.
 */
export type OutputKind = 'event' | 'alert' | 'dead-letter';

export interface OutputEvent {
  /** Stable id: `${tenantId}:${record Id}` for events, the alert id for alerts. Sinks use it for idempotency (`_id`). */
  id: string;
  kind: OutputKind;
  tenantId: string;
  /** Event time in epoch milliseconds (record CreationTime), used by time-aware sinks (Splunk HEC `time`, ES indices). */
  time: number;
  /** The JSON document to deliver. Sinks serialize it with JSON.stringify. */
  document: Record<string, unknown>;
  /** `document` as JSON text on one line, when already known (raw output of a record kept as received): a sink may write it instead. */
  json?: string;
}
