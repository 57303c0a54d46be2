import type { Counter, Gauge } from 'prom-client';
import { collectorMetrics } from '../collector/metrics.ts';

/** What one tenant has done so far, summed over its content types. */
export interface TenantProgress {
  tenant: string;
  windowsListed: number;
  blobsListed: number;
  blobsFetched: number;
  blobsQueued: number;
  eventsDelivered: number;
}

async function byTenant(metric: Counter | Gauge): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const { labels, value } of (await metric.get()).values) {
    const tenant = String(labels.tenant ?? '');
    totals.set(tenant, (totals.get(tenant) ?? 0) + value);
  }
  return totals;
}

/** Reads the collector's counters (the same ones /metrics serves), per tenant. */
export async function readProgress(): Promise<TenantProgress[]> {
  const [windows, listed, fetched, queued, events] = await Promise.all([
    byTenant(collectorMetrics.windowsListed),
    byTenant(collectorMetrics.blobsListed),
    byTenant(collectorMetrics.blobsFetched),
    byTenant(collectorMetrics.queueDepth),
    byTenant(collectorMetrics.eventsDelivered),
  ]);
  const tenants = new Set([...windows.keys(), ...listed.keys(), ...fetched.keys(), ...queued.keys(), ...events.keys()]);
  return [...tenants].sort().map((tenant) => ({
    tenant,
    windowsListed: windows.get(tenant) ?? 0,
    blobsListed: listed.get(tenant) ?? 0,
    blobsFetched: fetched.get(tenant) ?? 0,
    blobsQueued: queued.get(tenant) ?? 0,
    eventsDelivered: events.get(tenant) ?? 0,
  }));
}

/**
 * 1234567 → "1,234,567". Not `toLocaleString('en-US')`: the first call maps ICU's locale data into the process, ~7 MB
 * of RSS (5–6 MB of the node binary's pages, ~2 MB of heap) for a progress line every minute.
 */
export const count = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+$)/g, ',');

function eta(queued: number, fetchedPerSecond: number): string {
  if (queued <= 0) return 'caught up';
  if (fetchedPerSecond <= 0) return 'ETA unknown';
  const seconds = Math.ceil(queued / fetchedPerSecond);
  if (seconds < 90) return `ETA ${seconds}s`;
  if (seconds < 5400) return `ETA ${Math.round(seconds / 60)}m`;
  return `ETA ${(seconds / 3600).toFixed(1)}h`;
}

/**
 * One line for all tenants: totals, rate and ETA of the blob backlog, then the tenants still catching up.
 * `previous` is the reading `elapsedMs` earlier (rates come from the difference).
 */
export function describeProgress(now: TenantProgress[], previous: TenantProgress[], elapsedMs: number): string {
  const sum = (list: TenantProgress[], key: keyof Omit<TenantProgress, 'tenant'>) => list.reduce((a, t) => a + t[key], 0);
  const seconds = Math.max(elapsedMs, 1) / 1000;
  const blobRate = (sum(now, 'blobsFetched') - sum(previous, 'blobsFetched')) / seconds;
  const eventRate = (sum(now, 'eventsDelivered') - sum(previous, 'eventsDelivered')) / seconds;
  const queued = sum(now, 'blobsQueued');
  const behind = now.filter((t) => t.blobsQueued > 0);
  const head =
    `${now.length} tenant(s): ${count(sum(now, 'windowsListed'))} windows listed, ${count(sum(now, 'blobsListed'))} blobs listed, ${count(sum(now, 'blobsFetched'))} fetched, ` +
    `${count(queued)} queued, ${count(sum(now, 'eventsDelivered'))} events delivered (${count(eventRate)}/s), ${eta(queued, blobRate)}`;
  if (behind.length === 0) return head;
  const shown = behind
    .slice(0, 3)
    .map((t) => `${t.tenant} ${count(t.blobsQueued)} queued`)
    .join(', ');
  return `${head} — ${shown}${behind.length > 3 ? `, +${behind.length - 3} more` : ''}`;
}
