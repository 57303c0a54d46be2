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
  /**
   * `document` as JSON text on one line, when already known: a raw record kept as received, or an ECS document
   * serialized once by the pipeline for every sink (and the embedded store). Sinks write it instead (documentJson).
   */
  json?: string;
}

/** The document's JSON text: the one already made when there is one. */
export function documentJson(event: OutputEvent): string {
  return event.json ?? JSON.stringify(event.document);
}

/**
 * `JSON.stringify({ ...fields, [key]: event.document })`, with the document's text written as it is when already
 * known (not serialized again, not escaped into a string).
 */
export function jsonWithDocument(fields: Record<string, unknown>, key: string, event: OutputEvent): string {
  const head = JSON.stringify(fields);
  return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}${JSON.stringify(key)}:${documentJson(event)}}`;
}
