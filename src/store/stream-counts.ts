/** One tenant × content type of an insert batch: how many new events, and the newest event time (stream totals). */
export interface StreamCount {
  tenantId: string;
  tenantName: string;
  contentType: string;
  count: number;
  newest: number;
}

/** Counts one new event of a batch in `streams` (keyed by tenant id and content type). */
export function countStreamEvent(
  streams: Map<string, StreamCount>,
  event: { tenantId: string; tenantName: string; contentType: string; time: number },
): void {
  const key = `${event.tenantId}\u0000${event.contentType}`;
  let stream = streams.get(key);
  if (!stream) {
    stream = { tenantId: event.tenantId, tenantName: event.tenantName, contentType: event.contentType, count: 0, newest: 0 };
    streams.set(key, stream);
  }
  stream.count++;
  if (event.time > stream.newest) stream.newest = event.time;
}
