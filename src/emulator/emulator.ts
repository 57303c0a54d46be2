import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../observability/logger.ts';
import { handleActivityApi, type ActivityApiDeps } from './activity-api.ts';
import { apiErrors } from './api-error.ts';
import { backfill } from './backfill.ts';
import { BlobPublisher, DEFAULT_RECORDS_PER_BLOB } from './blob-publisher.ts';
import { createServerCertificate } from './certificates.ts';
import { Chaos } from './chaos.ts';
import { StatsCollector } from './emulator-stats.ts';
import { sendJson } from './http-response.ts';
import { LiveFeed } from './live-feed.ts';
import { handleLogin, isLoginPath, type LoginDeps } from './login-endpoints.ts';
import { PublisherQuota } from './publisher-quota.ts';
import { Rng } from './rng.ts';
import { EmulatorSetupError, TenantRegistry } from './tenant-registry.ts';
import { TokenService } from './token-service.ts';
import type { Emulator, EmulatorOptions } from './types.ts';
import { WebhookNotifier } from './webhooks/webhook-notifier.ts';

const DAY_MS = 86_400_000;

/**
 * Starts the Entra ID + Management Activity API emulator on https://127.0.0.1:PORT with a fresh
 * self-signed certificate (trust `caPem`).
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const seed = options.seed ?? 1;
  const pageSize = options.pageSize ?? 200;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new EmulatorSetupError(`pageSize must be a positive integer, got ${pageSize}`);
  const registry = new TenantRegistry(options.tenants);
  const certificate = await createServerCertificate();
  const rng = new Rng(seed);
  const chaos = new Chaos(seed ^ 0x5eed5eed, options.chaos);
  const stats = new StatsCollector();
  const webhooks = new WebhookNotifier({
    ...(options.webhookCa ? { ca: options.webhookCa } : {}),
    ...options.webhookRetry,
    now,
    logger,
  });
  const publisher = new BlobPublisher({
    registry,
    chaos,
    rng,
    stats,
    retentionMs: options.retentionMs ?? 7 * DAY_MS,
    maxStoredBytes: options.maxStoredBytes ?? 512 * 1024 * 1024,
    now,
    onPublished: (blob) =>
      webhooks.notify({
        tenantId: blob.tenantId,
        contentType: blob.contentType,
        contentId: blob.contentId,
        contentCreated: blob.contentCreated,
        contentExpiration: blob.contentExpiration,
        contentUri: `${apiDeps.baseUrl(blob.foreignHost)}/api/v1.0/${blob.tenantId}/activity/feed/audit/${blob.contentId}`,
      }),
  });

  let port = 0;
  const baseUrl = (): string => `https://127.0.0.1:${port}`;
  const x5t = createHash('sha1').update(new X509Certificate(certificate.certificatePem).raw).digest('base64url');
  const publicKey = createPublicKey(certificate.certificatePem);
  const tokens = new TokenService(registry, { privateKeyPem: certificate.privateKeyPem, publicKey, x5t }, baseUrl, now);
  const loginDeps: LoginDeps = {
    registry,
    chaos,
    tokens,
    stats,
    rng: rng.fork(),
    now,
    baseUrl,
    signingKey: { publicKey, x5t, certificatePem: certificate.certificatePem },
  };
  const apiDeps: ActivityApiDeps = {
    registry,
    publisher,
    tokens,
    chaos,
    stats,
    quota: new PublisherQuota(),
    pageSize,
    webhooks,
    startGraceMs: options.startGraceMs ?? 3_600_000,
    now,
    baseUrl: (foreign) => (foreign ? `https://localhost:${port}` : baseUrl()),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', baseUrl());
    if (isLoginPath(url.pathname)) return handleLogin(req, res, url, loginDeps);
    return handleActivityApi(req, res, url, apiDeps);
  };
  const server: Server = createServer({ key: certificate.privateKeyPem, cert: certificate.certificatePem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err, path: req.url?.split('?')[0] }, 'emulator request failed');
      if (!res.headersSent) {
        const error = apiErrors.internal();
        sendJson(res, error.status, error.body(), now());
      } else {
        res.destroy();
      }
    });
  });
  // IIS keeps idle connections for 120 s; a short idle timeout would race with clients reusing sockets.
  server.keepAliveTimeout = 120_000;
  server.on('tlsClientError', (err) => logger.debug({ err }, 'emulator TLS client error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  const recordsPerBlob = options.live?.recordsPerBlob ?? DEFAULT_RECORDS_PER_BLOB;
  if (options.backfillMs && options.backfillMs > 0) {
    backfill(registry, publisher, rng, {
      periodMs: options.backfillMs,
      eventsPerMinute: options.live?.eventsPerMinute ?? 60,
      recordsPerBlob,
      scenarios: options.live?.scenarios ?? true,
      now: now(),
    });
  }
  const live =
    options.live && options.live.eventsPerMinute > 0
      ? new LiveFeed(
          registry,
          publisher,
          rng.fork(),
          { eventsPerMinute: options.live.eventsPerMinute, recordsPerBlob, scenarios: options.live.scenarios ?? true },
          now,
          (err) => logger.error({ err }, 'emulator live feed failed'),
        )
      : undefined;
  live?.start();
  logger.info({ url: baseUrl(), tenants: registry.all().length }, 'Management Activity API emulator listening');

  return {
    url: baseUrl(),
    caPem: certificate.certificatePem,
    publish: (tenantId, contentType, records, opts) => publisher.publish(tenantId, contentType, records, opts),
    generate: (tenantId, count, opts) => publisher.generate(tenantId, count, opts),
    publishHugeBlob: (tenantId, contentType, minBytes, contentCreated) =>
      publisher.publishHugeBlob(tenantId, contentType, minBytes, contentCreated),
    publishedIds: (tenantId) => new Set(publisher.content(tenantId).groundTruth),
    setChaos: (c) => chaos.update(c),
    stats: () => stats.snapshot(),
    stop: async () => {
      live?.stop();
      await webhooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
