import type { IncomingMessage, ServerResponse } from 'node:http';
import { isContentType, type ContentType } from '../core/content-types.ts';
import { apiErrors, ApiError } from './api-error.ts';
import type { BlobPublisher } from './blob-publisher.ts';
import type { Chaos } from './chaos.ts';
import { isWellFormedContentId, type StoredBlob, type TenantContent } from './content-store.ts';
import { decodeNextPage, encodeNextPage, resolveContentWindow } from './content-window.ts';
import type { StatsCollector } from './emulator-stats.ts';
import { streamHugeBlob } from './huge-blob.ts';
import { safeDecode, sendEmpty, sendJson, standardHeaders } from './http-response.ts';
import type { PublisherQuota } from './publisher-quota.ts';
import { SENSITIVE_TYPES } from './records/index.ts';
import { isGuid, type TenantRegistry } from './tenant-registry.ts';
import { isoMillis } from './time-format.ts';
import type { TokenService } from './token-service.ts';
import { parseWebhookRequest } from './webhooks/webhook-request.ts';
import { webhookView, type WebhookNotifier } from './webhooks/webhook-notifier.ts';

const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
const API_PATH = /^\/api\/v1(?:\.0)?\/([^/]+)\/activity\/feed\/(.+)$/;

export interface ActivityApiDeps {
  registry: TenantRegistry;
  publisher: BlobPublisher;
  tokens: TokenService;
  chaos: Chaos;
  stats: StatsCollector;
  quota: PublisherQuota;
  webhooks: WebhookNotifier;
  pageSize: number;
  startGraceMs: number;
  now: () => number;
  /** Base URL for contentUri/NextPageUri; `foreign` gives the `localhost` variant. */
  baseUrl: (foreign: boolean) => string;
}

type Operation =
  | { kind: 'start' | 'stop' | 'list' | 'content' | 'notifications' | 'dlpTypes'; method: string }
  | { kind: 'blob'; method: string; contentId: string };

function route(httpMethod: string, rest: string): Operation | undefined {
  const lower = rest.toLowerCase();
  if (httpMethod === 'POST' && lower === 'subscriptions/start') return { kind: 'start', method: 'StartSubscription' };
  if (httpMethod === 'POST' && lower === 'subscriptions/stop') return { kind: 'stop', method: 'StopSubscription' };
  if (httpMethod === 'GET' && lower === 'subscriptions/list') return { kind: 'list', method: 'ListSubscriptions' };
  if (httpMethod === 'GET' && lower === 'subscriptions/content') return { kind: 'content', method: 'ListContent' };
  if (httpMethod === 'GET' && lower === 'subscriptions/notifications')
    return { kind: 'notifications', method: 'ListNotifications' };
  if (httpMethod === 'GET' && lower === 'resources/dlpsensitivetypes') return { kind: 'dlpTypes', method: 'GetResource' };
  if (httpMethod === 'GET' && lower.startsWith('audit/')) {
    return { kind: 'blob', method: 'GetBlob', contentId: safeDecode(rest.slice('audit/'.length)) };
  }
  return undefined;
}

/** Query parameters with lower-cased names (the service matches names case-insensitively). */
function queryOf(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) out.set(k.toLowerCase(), v);
  return out;
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(400, 'AF20001', 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Handles one request under /api/v1.0/{tenant}/activity/feed/. */
export async function handleActivityApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: ActivityApiDeps,
): Promise<void> {
  try {
    await dispatch(req, res, url, deps);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    sendJson(res, err.status, err.body(), deps.now(), err.headers);
  }
}

async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, deps: ActivityApiDeps): Promise<void> {
  const { stats, chaos, now } = deps;
  const match = API_PATH.exec(url.pathname);
  const op = match ? route(req.method ?? 'GET', match[2] ?? '') : undefined;
  stats.request(op?.kind ?? 'notFound');
  // Requests reaching the emulator under its foreign name (`localhost`): a client followed a URL to another host.
  if ((req.headers.host ?? '').toLowerCase().startsWith('localhost')) stats.request('foreignHost');
  if (!match || !op) throw apiErrors.notFound();
  const query = queryOf(url);
  const publisherId = query.get('publisheridentifier');
  if (!publisherId) stats.withoutPublisherIdentifier++;

  // Authentication and tenant checks.
  const auth = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
  if (!bearer) throw apiErrors.unauthorized('Missing bearer token.');
  const validated = deps.tokens.validate(bearer);
  if (!validated.ok) throw apiErrors.unauthorized(validated.reason);
  const urlTenant = safeDecode(match[1] ?? '');
  if (!isGuid(urlTenant)) throw apiErrors.tenantNotGuid(urlTenant);
  if (String(validated.claims.tid).toLowerCase() !== urlTenant.toLowerCase()) throw apiErrors.tenantMismatch();
  const roles = Array.isArray(validated.claims.roles) ? validated.claims.roles.map(String) : [];
  if (!roles.includes('ActivityFeed.Read')) throw apiErrors.missingRole(roles);
  const tenant = deps.registry.require(urlTenant);

  // Throttling and injected faults.
  if (chaos.roll('slowResponse')) {
    stats.injected('slow');
    await new Promise((r) => setTimeout(r, chaos.options.slowResponseMs));
  }
  if (!deps.quota.take(publisherId ?? ZERO_GUID, chaos.options.publisherQuotaPerMinute, now())) {
    stats.quotaThrottled++;
    throw apiErrors.throttled(op.method, publisherId ?? ZERO_GUID, chaos.options.throttleStatus);
  }
  if (chaos.roll('throttle')) {
    stats.injected('throttled');
    throw apiErrors.throttled(op.method, publisherId ?? ZERO_GUID, chaos.options.throttleStatus);
  }
  const fault = chaos.transientFault();
  if (fault) {
    stats.injected(fault.kind);
    if (fault.status === 500) throw apiErrors.internal();
    throw new ApiError(
      fault.status,
      fault.status === 503 ? 'ServiceUnavailable' : 'RequestTimeout',
      fault.status === 503 ? 'The service is temporarily unavailable.' : 'The request timed out.',
    );
  }
  if (chaos.roll('apiErrorEcho')) {
    stats.injected('echo');
    throw new ApiError(
      400,
      'RequestRejected',
      `Request rejected by the gateway. Headers: Authorization: ${auth}; Query: ${url.search}`,
    );
  }

  const contentTypeParam = query.get('contenttype');
  if (tenant.auditDisabled) {
    throw apiErrors.auditDisabled(
      tenant.tenantId,
      op.method,
      contentTypeParam ?? '',
      String(validated.claims.appid ?? ''),
      publisherId ?? ZERO_GUID,
    );
  }
  const content = deps.publisher.content(tenant.tenantId);

  switch (op.kind) {
    case 'start':
      return startSubscription(
        req,
        res,
        content,
        requireContentType(contentTypeParam),
        String(validated.claims.appid ?? ''),
        deps,
      );
    case 'stop': {
      const ct = requireContentType(contentTypeParam);
      const sub = content.subscriptions.get(ct);
      if (!sub) throw apiErrors.noSubscription();
      sub.status = 'disabled';
      return sendEmpty(res, now());
    }
    case 'list':
      return sendJson(
        res,
        200,
        [...content.subscriptions.values()].map((s) => ({
          contentType: s.contentType,
          status: s.status,
          webhook: webhookView(deps.webhooks.get(content.tenantId, s.contentType)),
        })),
        now(),
      );
    case 'content':
      return listContent(res, content, requireContentType(contentTypeParam), query, deps);
    case 'notifications':
      return listNotifications(res, content, requireContentType(contentTypeParam), query, deps);
    case 'dlpTypes':
      return sendDlpTypes(req, res, now());
    case 'blob':
      return sendBlob(res, content, op.contentId, query, deps);
  }
}

function requireContentType(value: string | undefined): ContentType {
  if (value === undefined) throw new ApiError(400, 'AF20001', 'Missing parameter: contentType.');
  const match = ['Audit.AzureActiveDirectory', 'Audit.Exchange', 'Audit.SharePoint', 'Audit.General', 'DLP.All'].find(
    (ct) => ct.toLowerCase() === value.toLowerCase(),
  );
  if (!match || !isContentType(match)) throw apiErrors.badContentType(value);
  return match;
}

function requireEnabled(content: TenantContent, ct: ContentType): void {
  const sub = content.subscriptions.get(ct);
  if (!sub) throw apiErrors.noSubscription();
  if (sub.status !== 'enabled') throw apiErrors.subscriptionDisabled();
}

async function startSubscription(
  req: IncomingMessage,
  res: ServerResponse,
  content: TenantContent,
  ct: ContentType,
  clientId: string,
  deps: ActivityApiDeps,
): Promise<void> {
  const requested = parseWebhookRequest((await readBody(req)).trim());
  const sub = content.subscriptions.get(ct);
  if (sub?.status === 'enabled' && !requested) throw apiErrors.alreadyEnabled();
  if (requested) {
    await deps.webhooks.validate(requested.address, requested.authId);
    deps.webhooks.set(content.tenantId, ct, { ...requested, clientId });
  }
  content.subscriptions.set(ct, { contentType: ct, status: 'enabled' });
  sendJson(
    res,
    200,
    { contentType: ct, status: 'enabled', webhook: webhookView(deps.webhooks.get(content.tenantId, ct)) },
    deps.now(),
  );
}

function listNotifications(
  res: ServerResponse,
  content: TenantContent,
  ct: ContentType,
  query: Map<string, string>,
  deps: ActivityApiDeps,
): void {
  requireEnabled(content, ct);
  const window = resolveContentWindow(query.get('starttime'), query.get('endtime'), deps.now(), deps.startGraceMs);
  if (window instanceof ApiError) throw window;
  const sent = deps.webhooks
    .history(content.tenantId, ct)
    .filter((n) => n.notificationSent >= window.start && n.notificationSent < window.end);
  sendJson(
    res,
    200,
    sent.map((n) => ({
      contentUri: n.contentUri,
      contentId: n.contentId,
      contentType: n.contentType,
      contentCreated: isoMillis(n.contentCreated),
      contentExpiration: isoMillis(n.contentExpiration),
      notificationSent: isoMillis(n.notificationSent),
      notificationStatus: n.notificationStatus,
    })),
    deps.now(),
  );
}

function blobUri(deps: ActivityApiDeps, blob: StoredBlob): string {
  return `${deps.baseUrl(blob.foreignHost)}/api/v1.0/${blob.tenantId}/activity/feed/audit/${blob.contentId}`;
}

function listContent(
  res: ServerResponse,
  content: TenantContent,
  ct: ContentType,
  query: Map<string, string>,
  deps: ActivityApiDeps,
): void {
  requireEnabled(content, ct);
  const window = resolveContentWindow(query.get('starttime'), query.get('endtime'), deps.now(), deps.startGraceMs);
  if (window instanceof ApiError) throw window;
  const matching = content.blobs.filter(
    (b) => b.listable && b.contentType === ct && b.contentCreated >= window.start && b.contentCreated < window.end,
  );
  let offset = 0;
  const token = query.get('nextpage');
  if (token !== undefined) {
    const decoded = decodeNextPage(token, window, matching.length);
    if (decoded === undefined) throw apiErrors.badNextPage(token);
    offset = decoded;
  }
  const page = matching.slice(offset, offset + deps.pageSize);
  const headers: Record<string, string> = {};
  const { chaos, stats } = deps;
  if (offset + page.length < matching.length) {
    const next = new URL(`${deps.baseUrl(false)}/api/v1.0/${content.tenantId}/activity/feed/subscriptions/content`);
    next.searchParams.set('contentType', ct);
    next.searchParams.set('startTime', window.startText);
    next.searchParams.set('endTime', window.endText);
    const corrupt = chaos.options.badNextPageBefore > 0 && window.start < chaos.options.badNextPageBefore;
    if (corrupt) stats.injected('badNextPage');
    next.searchParams.set('nextPage', corrupt ? 'corrupt!page' : encodeNextPage(window, offset + page.length));
    headers[chaos.options.nextPageUrlSpelling ? 'NextPageUrl' : 'NextPageUri'] = next.toString();
  }
  sendJson(
    res,
    200,
    page.map((b) => {
      const entry: Record<string, string> = {
        contentUri: blobUri(deps, b),
        contentId: b.contentId,
        contentType: b.contentType,
        contentCreated: isoMillis(b.contentCreated),
        contentExpiration: isoMillis(b.contentExpiration),
      };
      if (chaos.roll('listingWithoutExpiration')) {
        stats.injected('listingWithoutExpiration');
        delete entry.contentExpiration;
      }
      if (chaos.roll('listingWithoutContentUri')) {
        stats.injected('listingWithoutContentUri');
        delete entry.contentUri;
      }
      return entry;
    }),
    deps.now(),
    headers,
  );
}

function sendDlpTypes(req: IncomingMessage, res: ServerResponse, now: number): void {
  const lang = req.headers['accept-language'];
  if (lang !== undefined && lang !== '') {
    if (lang.includes(',')) throw apiErrors.badLanguage(true);
    if (!/^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/.test(lang.trim())) throw apiErrors.badLanguage(false);
  }
  sendJson(
    res,
    200,
    SENSITIVE_TYPES.map((t) => ({ id: t.id, name: t.name })),
    now,
  );
}

/** `302 Found` to the same blob on the API host or on the foreign host; the redirected request is served. */
function redirectBlob(res: ServerResponse, blob: StoredBlob, deps: ActivityApiDeps): void {
  const foreign = deps.chaos.options.blobRedirectTarget === 'foreign-host';
  deps.stats.injected(foreign ? 'redirectForeign' : 'redirectApiHost');
  const location = `${deps.baseUrl(foreign)}/api/v1.0/${blob.tenantId}/activity/feed/audit/${blob.contentId}?redirected=1`;
  res.writeHead(302, { ...standardHeaders(deps.now()), Location: location, 'Content-Length': '0' });
  res.end();
}

async function sendBlob(
  res: ServerResponse,
  content: TenantContent,
  contentId: string,
  query: Map<string, string>,
  deps: ActivityApiDeps,
): Promise<void> {
  if (!isWellFormedContentId(contentId)) throw apiErrors.badContentId(contentId);
  const blob = content.blobById.get(contentId);
  if (!blob?.listable) throw apiErrors.contentNotFound(contentId);
  if (deps.now() >= blob.contentExpiration || blob.body.kind === 'evicted') throw apiErrors.contentExpired(contentId);
  if (!query.has('redirected') && deps.chaos.roll('blobRedirect')) return redirectBlob(res, blob, deps);
  const truncate = deps.chaos.roll('truncatedBlob');
  if (truncate) deps.stats.injected('truncated');
  if (blob.body.kind === 'huge') {
    res.writeHead(200, standardHeaders(deps.now()));
    const tenant = deps.registry.require(blob.tenantId);
    await streamHugeBlob(
      res,
      blob.body,
      tenant.context,
      blob.contentType,
      blob.contentCreated,
      truncate ? Math.floor(blob.body.recordCount / 2) : undefined,
    );
    return;
  }
  const bytes = Buffer.from(blob.body.json, 'utf8');
  res.writeHead(200, { ...standardHeaders(deps.now()), 'Content-Length': String(bytes.length) });
  if (truncate) {
    res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => res.destroy());
    return;
  }
  res.end(bytes);
}
