import type { HealthSource, StreamHealth, StreamStatus } from '../core/health.ts';
import type { EventStore } from '../store/event-store.ts';

/** One line of the health page: the collector's view of a stream merged with the store's counters. */
export interface HealthRow {
  tenantId: string;
  tenantName: string;
  contentType: string;
  /** `unknown` when only the store knows the stream (no collector state for it). */
  status: StreamStatus | 'unknown';
  lastPollAt?: number;
  lastSuccessAt?: number;
  newestContentAt?: number;
  /** now − newest content (or newest stored event when the collector gives none). */
  lagMs?: number;
  eventsPerMinute: number;
  eventsTotal: number;
  storedEvents: number;
  pendingBlobs: number;
  quarantinedBlobs: number;
  expiredBlobs: number;
  lastError?: StreamHealth['lastError'];
}

export interface HealthView {
  rows: HealthRow[];
  /** Set when the collector's health could not be read. */
  sourceError?: string;
}

export async function buildHealthView(source: HealthSource, store: EventStore, now: number): Promise<HealthView> {
  let streams: StreamHealth[] = [];
  let sourceError: string | undefined;
  try {
    streams = await source.streamHealth();
  } catch (err) {
    sourceError = `collector health is unavailable: ${(err as Error).message}`;
  }
  const stats = new Map(store.streamStats(now).map((s) => [`${s.tenantId}\u0000${s.contentType}`, s]));
  const rows: HealthRow[] = streams.map((h) => {
    const key = `${h.tenantId}\u0000${h.contentType}`;
    const s = stats.get(key);
    stats.delete(key);
    const newest = h.newestContentAt ?? s?.newestEventAt;
    return {
      tenantId: h.tenantId,
      tenantName: h.tenantName,
      contentType: h.contentType,
      status: h.status,
      ...(h.lastPollAt !== undefined ? { lastPollAt: h.lastPollAt } : {}),
      ...(h.lastSuccessAt !== undefined ? { lastSuccessAt: h.lastSuccessAt } : {}),
      ...(h.newestContentAt !== undefined ? { newestContentAt: h.newestContentAt } : {}),
      ...(newest !== undefined ? { lagMs: Math.max(0, now - newest) } : {}),
      eventsPerMinute: s?.eventsPerMinute ?? 0,
      eventsTotal: h.eventsTotal,
      storedEvents: s?.eventsTotal ?? 0,
      pendingBlobs: h.pendingBlobs,
      quarantinedBlobs: h.quarantinedBlobs,
      expiredBlobs: h.expiredBlobs,
      ...(h.lastError ? { lastError: h.lastError } : {}),
    };
  });
  for (const s of stats.values()) {
    rows.push({
      tenantId: s.tenantId, tenantName: s.tenantName, contentType: s.contentType, status: 'unknown',
      lagMs: Math.max(0, now - s.newestEventAt), eventsPerMinute: s.eventsPerMinute, eventsTotal: s.eventsTotal, storedEvents: s.eventsTotal,
      pendingBlobs: 0, quarantinedBlobs: 0, expiredBlobs: 0,
    });
  }
  rows.sort((a, b) => a.tenantName.localeCompare(b.tenantName) || a.contentType.localeCompare(b.contentType));
  return { rows, ...(sourceError ? { sourceError } : {}) };
}

/** /healthz: unhealthy when the collector cannot be read, or every enabled stream is in error. */
export function healthSummary(view: HealthView): { ok: boolean; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  for (const row of view.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const enabled = view.rows.filter((r) => r.status !== 'disabled' && r.status !== 'unknown');
  const allFailing = enabled.length > 0 && enabled.every((r) => r.status === 'error');
  return { ok: !view.sourceError && !allFailing, counts };
}
