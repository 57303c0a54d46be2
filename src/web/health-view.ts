import type { HealthSource, StreamHealth, StreamStatus } from '../core/health.ts';
import { scrubSecrets } from '../core/scrub-secrets.ts';
import type { EventStore } from '../store/event-store.ts';
import type { SinkHealth, SinkHealthSource } from './sink-health.ts';

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
  quarantineReason?: string;
  failedWindows?: StreamHealth['failedWindows'];
  reconciliation?: StreamHealth['reconciliation'];
}

/** Remote error text is scrubbed once more on its way out (the health API and page never show a secret or token). */
function scrubbedDetails(
  h: StreamHealth,
): Pick<HealthRow, 'lastError' | 'quarantineReason' | 'failedWindows' | 'reconciliation'> {
  return {
    ...(h.lastError ? { lastError: { ...h.lastError, message: scrubSecrets(h.lastError.message) } } : {}),
    ...(h.quarantineReason ? { quarantineReason: scrubSecrets(h.quarantineReason) } : {}),
    ...(h.failedWindows ? { failedWindows: { ...h.failedWindows, error: scrubSecrets(h.failedWindows.error) } } : {}),
    ...(h.reconciliation
      ? { reconciliation: { ...h.reconciliation, examples: h.reconciliation.examples.map((e) => scrubSecrets(e)) } }
      : {}),
  };
}

export interface HealthView {
  rows: HealthRow[];
  /** Set when the collector's health could not be read. */
  sourceError?: string;
  /** The outputs, when the server was given a sink health source. */
  sinks?: SinkHealth[];
  /** Set when the outputs' health could not be read. */
  sinkError?: string;
}

async function sinkPart(sinks: SinkHealthSource | undefined): Promise<Pick<HealthView, 'sinks' | 'sinkError'>> {
  if (!sinks) return {};
  try {
    return { sinks: await sinks.sinkHealth() };
  } catch (err) {
    return { sinks: [], sinkError: scrubSecrets(`output health is unavailable: ${(err as Error).message}`) };
  }
}

export async function buildHealthView(
  source: HealthSource,
  store: EventStore,
  now: number,
  sinks?: SinkHealthSource,
): Promise<HealthView> {
  let streams: StreamHealth[] = [];
  let sourceError: string | undefined;
  try {
    streams = await source.streamHealth();
  } catch (err) {
    sourceError = scrubSecrets(`collector health is unavailable: ${(err as Error).message}`);
  }
  const stats = new Map((await store.streamStats(now)).map((s) => [`${s.tenantId}\u0000${s.contentType}`, s]));
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
      ...scrubbedDetails(h),
    };
  });
  for (const s of stats.values()) {
    rows.push({
      tenantId: s.tenantId,
      tenantName: s.tenantName,
      contentType: s.contentType,
      status: 'unknown',
      lagMs: Math.max(0, now - s.newestEventAt),
      eventsPerMinute: s.eventsPerMinute,
      eventsTotal: s.eventsTotal,
      storedEvents: s.eventsTotal,
      pendingBlobs: 0,
      quarantinedBlobs: 0,
      expiredBlobs: 0,
    });
  }
  rows.sort((a, b) => a.tenantName.localeCompare(b.tenantName) || a.contentType.localeCompare(b.contentType));
  return { rows, ...(sourceError ? { sourceError } : {}), ...(await sinkPart(sinks)) };
}

/**
 * /healthz. `ok` (HTTP 200 vs 503) is about collection only: false when the collector cannot be read or
 * every enabled stream is in error. An output in error or degraded makes `status` "degraded" but keeps 200:
 * restarting the process (what an orchestrator does on 503) does not fix a wrong intake key or a down
 * SIEM, and the disk spool already keeps every event until the output is back.
 */
export function healthSummary(view: HealthView): {
  ok: boolean;
  status: 'ok' | 'degraded' | 'error';
  counts: Record<string, number>;
  sinkCounts: Record<string, number>;
} {
  const counts: Record<string, number> = {};
  for (const row of view.rows) counts[row.status] = (counts[row.status] ?? 0) + 1;
  const sinkCounts: Record<string, number> = {};
  for (const sink of view.sinks ?? []) sinkCounts[sink.status] = (sinkCounts[sink.status] ?? 0) + 1;
  const enabled = view.rows.filter((r) => r.status !== 'disabled' && r.status !== 'unknown');
  const allFailing = enabled.length > 0 && enabled.every((r) => r.status === 'error');
  const ok = !view.sourceError && !allFailing;
  const degraded =
    Boolean(view.sinkError) ||
    (view.sinks ?? []).some((s) => s.status !== 'ok') ||
    enabled.some((r) => r.status === 'error' || r.status === 'degraded');
  return { ok, status: !ok ? 'error' : degraded ? 'degraded' : 'ok', counts, sinkCounts };
}
