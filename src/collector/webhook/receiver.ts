import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/errors.ts';
import type { Secret } from '../../core/secret.ts';
import type { Logger } from '../../observability/logger.ts';
import type { StateStore } from '../../state/state-store.ts';
import type { TenantConfig } from '../config.ts';
import type { WebhookReceiverConfig } from './config.ts';
import { webhookMetrics as m } from './metrics.ts';
import { parseNotification, WebhookNotificationError } from './notification.ts';

export interface WebhookReceiverOptions {
  config: WebhookReceiverConfig;
  /** Tenants with a `webhook` are served on the path of their address; the others are ignored. */
  tenants: readonly TenantConfig[];
  state: StateStore;
  /** Called after a notification's blobs are enqueued (Collector.wake). */
  wake: (tenantId: string) => void;
  logger: Logger;
  /** PEM certificate and key used instead of reading `tls_cert_file`/`tls_key_file` (tests). */
  tls?: { cert: string; key: string };
}

export interface WebhookReceiver {
  /** https://host:port the server listens on. */
  url: string;
  close(): Promise<void>;
}

class BodyTooLargeError extends Error {}

/** The tenant a request was routed to, for metrics of refused requests. */
const routed = new WeakMap<IncomingMessage, string>();

function readTls(config: WebhookReceiverConfig): { cert: string; key: string } {
  const read = (key: 'tls_cert_file' | 'tls_key_file'): string => {
    try {
      return readFileSync(config[key], 'utf8');
    } catch (err) {
      throw new ConfigError(
        `webhook_receiver.${key}`,
        `cannot read ${config[key]} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  };
  return { cert: read('tls_cert_file'), key: read('tls_key_file') };
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Constant-time check of the Webhook-AuthID header (any value accepted when none is configured). */
function authorized(expected: Secret | undefined, header: string | string[] | undefined): boolean {
  if (!expected) return true;
  return typeof header === 'string' && timingSafeEqual(digest(expected.reveal()), digest(header));
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tenantsByPath(tenants: readonly TenantConfig[]): Map<string, TenantConfig> {
  const byPath = new Map<string, TenantConfig>();
  for (const tenant of tenants) {
    if (!tenant.webhook || !tenant.enabled) continue;
    const path = new URL(tenant.webhook.address).pathname.replace(/\/+$/, '') || '/';
    const other = byPath.get(path);
    if (other)
      throw new ConfigError(`tenants.${tenant.name}.webhook.address`, `path ${path} is already used by tenant ${other.name}`);
    byPath.set(path, tenant);
  }
  return byPath;
}

/**
 * Starts the HTTPS receiver of Management Activity API webhook notifications: answers the validation handshake,
 * checks Webhook-AuthID and each notification (see parseNotification), enqueues the blobs in the same durable queue
 * the poller fills (the ledger dedups) and wakes the tenant's collector.
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const { config, state, logger } = options;
  const byPath = tenantsByPath(options.tenants);
  const log = logger.child({ component: 'webhook-receiver' });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'https://receiver').pathname.replace(/\/+$/, '') || '/';
    const tenant = byPath.get(path);
    if (req.method !== 'POST' || !tenant) {
      res.writeHead(404).end();
      return;
    }
    routed.set(req, tenant.name);
    if (!authorized(tenant.webhook?.auth_id, req.headers['webhook-authid'])) {
      log.warn(
        { tenant: tenant.name, remote: req.socket.remoteAddress },
        'webhook request refused: wrong or missing Webhook-AuthID',
      );
      m.requests.inc({ tenant: tenant.name, outcome: 'refused_auth' });
      res.writeHead(401).end();
      return;
    }
    const text = await readBody(req, config.max_body_bytes);
    const validationCode = req.headers['webhook-validationcode'];
    if (validationCode !== undefined) {
      log.info({ tenant: tenant.name }, 'webhook validation answered');
      m.requests.inc({ tenant: tenant.name, outcome: 'validated' });
      res.writeHead(200).end();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new WebhookNotificationError('body is not valid JSON');
    }
    const streams = parseNotification(body, tenant);
    let added = 0;
    for (const stream of streams) {
      const fresh = (
        await state.enqueueBlobs({ tenantId: tenant.tenant_id, contentType: stream.contentType }, stream.blobs, Date.now())
      ).length;
      m.blobsNotified.inc({ tenant: tenant.name, content_type: stream.contentType }, fresh);
      added += fresh;
    }
    m.requests.inc({ tenant: tenant.name, outcome: 'accepted' });
    log.debug(
      { tenant: tenant.name, notified: streams.reduce((n, s) => n + s.blobs.length, 0), added },
      'webhook notification enqueued',
    );
    res.writeHead(200).end();
    if (added > 0) options.wake(tenant.tenant_id);
  };

  const server: Server = createServer(options.tls ?? readTls(config), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      const tenant = routed.get(req) ?? 'unknown';
      if (err instanceof WebhookNotificationError) {
        log.warn({ tenant, reason: err.message }, 'webhook notification refused');
        m.requests.inc({ tenant, outcome: 'refused_invalid' });
        if (!res.headersSent) res.writeHead(400).end();
      } else if (err instanceof BodyTooLargeError) {
        log.warn({ tenant, limit: config.max_body_bytes }, 'webhook notification refused: body too large');
        m.requests.inc({ tenant, outcome: 'too_large' });
        if (!res.headersSent) res.writeHead(413, { connection: 'close' }).end();
      } else {
        // The state store failed: a non-200 makes Microsoft retry, and polling finds the blobs anyway.
        log.error({ tenant, err: (err as Error).message }, 'webhook notification could not be enqueued');
        m.requests.inc({ tenant, outcome: 'failed' });
        if (!res.headersSent) res.writeHead(503).end();
      }
    });
  });
  server.requestTimeout = 30_000;
  server.on('tlsClientError', (err) => log.debug({ err: err.message }, 'webhook receiver TLS client error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log.info({ url: `https://${host}:${address.port}`, tenants: byPath.size }, 'webhook receiver listening');
  return {
    url: `https://${host}:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
