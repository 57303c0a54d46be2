import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { HealthSource, StreamHealth } from '../../core/health.ts';
import { type Logger, silentLogger } from '../../observability/logger.ts';
import { storeSchema } from '../../store/config.ts';
import { type AnalystStore, openAnalystStore } from '../../store/analyst/analyst-store.ts';
import { openEventStore, type SqliteEventStore } from '../../store/event-store.ts';
import { sampleAlert, sampleEvents, TENANTS } from '../../store/testing/sample-events.ts';
import { webSchema } from '../config.ts';
import { createWebServer, type WebServer } from '../server.ts';
import type { SinkHealth, SinkHealthSource } from '../sink-health.ts';

/** Time the sample data is seen from: two hours after the newest sample event. */
export const NOW = Date.parse('2026-11-24T14:00:00Z');

export interface TestServer {
  server: WebServer;
  store: SqliteEventStore;
  analyst: AnalystStore;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export function sampleHealth(): StreamHealth[] {
  return [
    {
      tenantId: TENANTS[0].id,
      tenantName: TENANTS[0].name,
      contentType: 'Audit.AzureActiveDirectory',
      status: 'ok',
      lastPollAt: NOW - 30_000,
      lastSuccessAt: NOW - 30_000,
      newestContentAt: NOW - 20 * 60_000,
      eventsTotal: 18_342,
      pendingBlobs: 2,
      quarantinedBlobs: 0,
      expiredBlobs: 0,
    },
    {
      tenantId: TENANTS[0].id,
      tenantName: TENANTS[0].name,
      contentType: 'Audit.Exchange',
      status: 'degraded',
      lastPollAt: NOW - 60_000,
      lastSuccessAt: NOW - 60_000,
      newestContentAt: NOW - 3 * 3_600_000,
      eventsTotal: 9_120,
      pendingBlobs: 14,
      quarantinedBlobs: 1,
      expiredBlobs: 3,
      lastError: { code: 'BLOB_QUARANTINED', message: 'blob 20261124-abc failed 8 times: HTTP 500', at: NOW - 15 * 60_000 },
    },
    {
      tenantId: TENANTS[1].id,
      tenantName: TENANTS[1].name,
      contentType: 'Audit.General',
      status: 'error',
      lastPollAt: NOW - 60_000,
      lastSuccessAt: NOW - 26 * 3_600_000,
      eventsTotal: 0,
      pendingBlobs: 0,
      quarantinedBlobs: 0,
      expiredBlobs: 0,
      lastError: {
        code: 'AF20023',
        message: 'The subscription was disabled: start it again with /subscriptions/start',
        at: NOW - 60_000,
      },
    },
  ];
}

/** Outputs as a pipeline with a broken Sekoia.io key, a filling Elasticsearch spool and a healthy file sink reports them. */
export function sampleSinks(): SinkHealth[] {
  const GiB = 1024 ** 3;
  return [
    {
      name: 'sekoia-soc',
      type: 'sekoia',
      status: 'error',
      reason: 'the destination refuses every event',
      backlogBytes: 0,
      capacityBytes: GiB,
      deliveredEvents: 0,
      deadLettered: 1_250,
      lastError: {
        message:
          'refused (rejected): HTTP 401: {"message":"<b>invalid</b> intake key"} (is the intake key right, and for region FRA1?)',
        at: NOW - 40_000,
      },
    },
    {
      name: 'elastic',
      type: 'elasticsearch',
      status: 'degraded',
      reason: 'spool filling up',
      backlogBytes: 0.62 * GiB,
      capacityBytes: GiB,
      deliveredEvents: 48_210,
      lastDeliveryAt: NOW - 25 * 60_000,
      deadLettered: 0,
      lastError: { message: 'connect ECONNREFUSED 127.0.0.1:9200', at: NOW - 5_000 },
    },
    { name: 'archive', type: 'file', status: 'ok', deadLettered: 0 },
  ];
}

/** A web server on 127.0.0.1:0 over a temp store seeded with 300 sample events and 3 alerts. */
export async function startTestServer(
  options: {
    health?: HealthSource;
    sinks?: SinkHealthSource;
    authToken?: string;
    events?: number;
    now?: () => number;
    tailPollMs?: number;
    /** Extra `web:` settings (session_ttl, trust_proxy, metrics_auth…). */
    web?: Record<string, unknown>;
    logger?: Logger;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'web-'));
  const store = openEventStore(storeSchema.parse({ path: join(dataDir, 'events.db') }));
  const analyst = openAnalystStore(join(dataDir, 'events.db'));
  const events = sampleEvents(options.events ?? 300);
  store.insertEvents(events, NOW - 60_000);
  const inbox = events.filter((e) => e.raw.Operation === 'New-InboxRule' && e.tenantName === 'contoso');
  const admin = events.filter((e) => e.raw.Operation === 'Add member to role.');
  const failed = events.filter((e) => e.raw.Operation === 'UserLoginFailed');
  store.insertAlerts([
    sampleAlert(inbox.slice(0, 2)),
    sampleAlert(admin.slice(0, 1), {
      id: 'alert-admin-role',
      ruleId: 'b8a9e3c2-admin-role',
      title: 'Member added to Global Administrator role',
      level: 'critical',
      tags: ['attack.persistence', 'attack.t1098.003'],
      attack: ['T1098.003'],
      tenantId: admin[0]!.tenantId,
      tenantName: admin[0]!.tenantName,
    }),
    sampleAlert(failed.slice(0, 6), {
      id: 'alert-bruteforce',
      ruleId: 'c1d2e3f4-bruteforce',
      title: 'Repeated sign-in failures for one user',
      level: 'medium',
      tags: ['attack.credential_access', 'attack.t1110'],
      attack: ['T1110'],
      tenantId: failed[0]!.tenantId,
      tenantName: failed[0]!.tenantName,
      groupBy: { 'user.name': 'alice' },
    }),
  ]);
  const health: HealthSource = options.health ?? { streamHealth: async () => sampleHealth() };
  const config = webSchema.parse({
    port: 0,
    ...(options.authToken ? { auth_token: options.authToken } : {}),
    ...options.web,
  });
  const server = createWebServer({
    config,
    store,
    analyst,
    health,
    ...(options.tailPollMs ? { tailPollMs: options.tailPollMs } : {}),
    ...(options.sinks ? { sinks: options.sinks } : {}),
    logger: options.logger ?? silentLogger,
    metricsRegistry: new Registry(),
    dataDir,
    now: options.now ?? (() => NOW),
  });
  const url = await server.listen();
  return {
    server,
    store,
    analyst,
    url,
    dataDir,
    async close() {
      await server.close();
      await analyst.close();
      await store.close();
    },
  };
}
