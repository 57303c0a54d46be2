import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { silentLogger } from '../observability/logger.ts';
import { endpointsFor } from './clouds.ts';
import { ApiError, classifyApiError } from './errors.ts';
import { ManagementApiClient } from './management-api-client.ts';
import { TokenBucket } from './token-bucket.ts';
import type { TokenProvider } from './token-provider.ts';

const TENANT = '11111111-2222-3333-4444-555555555555';
const PUBLISHER = '99999999-2222-3333-4444-555555555555';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function withServer(
  handler: Handler,
  fn: (base: string, seen: { url: URL; auth: string | undefined; host: string }[]) => Promise<void>,
): Promise<void> {
  const seen: { url: URL; auth: string | undefined; host: string }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ url, auth: req.headers.authorization, host: req.headers.host ?? '' });
    handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await fn(base, seen);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

class CountingTokens implements TokenProvider {
  calls: boolean[] = [];
  async getToken(refresh = false): Promise<string> {
    this.calls.push(refresh);
    return `token-${this.calls.length}`;
  }
}

function client(base: string, tokens: TokenProvider = new CountingTokens(), maxAttempts = 4): ManagementApiClient {
  return new ManagementApiClient({
    tenantId: TENANT,
    tenantName: 't1',
    publisherId: PUBLISHER,
    apiUrl: base,
    tokens,
    bucket: new TokenBucket(60_000),
    dispatcher: new Agent(),
    logger: silentLogger,
    requestTimeoutMs: 5000,
    maxAttempts,
    retryBaseMs: 5,
    retryMaxMs: 20,
  });
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};
const blobEntry = (base: string, id: string) => ({
  contentUri: `${base}/api/v1.0/${TENANT}/activity/feed/audit/${id}`,
  contentId: id,
  contentType: 'Audit.Exchange',
  contentCreated: '2026-01-01T00:00:00.000Z',
  contentExpiration: '2026-01-08T00:00:00.000Z',
});

test('clouds: hosts per cloud, overrides, scope from the API host', () => {
  assert.deepEqual(endpointsFor({ cloud: 'gcc-high' }), {
    loginUrl: 'https://login.microsoftonline.us',
    apiUrl: 'https://manage.office365.us',
    scope: 'https://manage.office365.us/.default',
  });
  assert.equal(endpointsFor({ cloud: 'dod' }).apiUrl, 'https://manage.protection.apps.mil');
  assert.equal(endpointsFor({ cloud: 'gcc' }).scope, 'https://manage-gcc.office.com/.default');
  assert.equal(endpointsFor({ cloud: 'commercial' }).loginUrl, 'https://login.microsoftonline.com');
  assert.deepEqual(
    endpointsFor({ cloud: 'commercial', api_url: 'https://127.0.0.1:8443/', login_url: 'https://127.0.0.1:8443' }),
    {
      loginUrl: 'https://127.0.0.1:8443',
      apiUrl: 'https://127.0.0.1:8443',
      scope: 'https://127.0.0.1:8443/.default',
    },
  );
});

test('error classification', () => {
  assert.equal(classifyApiError(403, 'AF429'), 'throttled');
  assert.equal(classifyApiError(429, undefined), 'throttled');
  assert.equal(classifyApiError(500, 'AF50000'), 'transient');
  assert.equal(classifyApiError(408, undefined), 'transient');
  assert.equal(classifyApiError(400, 'AF20055'), 'window');
  assert.equal(classifyApiError(400, 'AF20023'), 'subscription');
  assert.equal(classifyApiError(400, 'AF20051'), 'gone');
  assert.equal(classifyApiError(404, 'AF20050'), 'gone');
  assert.equal(classifyApiError(401, 'AF10001'), 'auth');
  assert.equal(classifyApiError(400, 'AF20020'), 'fatal');
});

test('listing follows NextPageUri/NextPageUrl (any case), with PublisherIdentifier and the bearer token on every page', async () => {
  await withServer(
    (_req, res, url) => {
      const page = Number(url.searchParams.get('nextPage') ?? '0');
      const base = `http://127.0.0.1:${res.socket?.localPort ?? 0}`;
      const next = `${base}${url.pathname}?contentType=Audit.Exchange&startTime=x&endTime=y&nextPage=${page + 1}`;
      const headers: Record<string, string> = page === 0 ? { NextPageUri: next } : page === 1 ? { nextpageurl: next } : {};
      json(res, 200, [blobEntry(base, `blob-${page}`)], headers);
    },
    async (base, seen) => {
      const pages: string[][] = [];
      for await (const page of client(base).listContent('Audit.Exchange', Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 1))) {
        pages.push(page.map((b) => b.contentId));
      }
      assert.deepEqual(pages, [['blob-0'], ['blob-1'], ['blob-2']]);
      assert.equal(seen[0]?.url.searchParams.get('startTime'), '2026-01-01T00:00:00');
      assert.equal(seen[0]?.url.searchParams.get('endTime'), '2026-01-01T01:00:00');
      for (const request of seen) {
        assert.equal(request.url.searchParams.get('PublisherIdentifier'), PUBLISHER);
        assert.match(request.auth ?? '', /^Bearer token-\d+$/);
      }
    },
  );
});

test('a NextPageUri or contentUri on another host is refused before any token is sent', async () => {
  await withServer(
    (_req, res) => json(res, 200, [], { NextPageUri: 'http://localhost:1/steal?nextPage=1' }),
    async (base, seen) => {
      const api = client(base);
      const pages = api.listContent('Audit.Exchange', 0, 1000);
      await pages.next();
      await assert.rejects(
        pages.next(),
        (err: unknown) =>
          err instanceof ApiError &&
          err.afCode === 'HOST_NOT_ALLOWED' &&
          /refusing to send the token to http:\/\/localhost:1/.test(err.message),
      );
      const blob = api.fetchBlob('https://evil.example/api/x', 'x');
      await assert.rejects(blob.next(), /refusing to send the token to https:\/\/evil\.example/);
      assert.equal(seen.length, 1);
    },
  );
});

test('throttling (403 AF429, 429 Retry-After) and transient errors are retried; a 401 re-acquires the token once', async () => {
  let calls = 0;
  await withServer(
    (_req, res) => {
      calls += 1;
      if (calls === 1) return json(res, 403, { error: { code: 'AF429', message: 'Too many requests. Method=GetBlob' } });
      if (calls === 2) return json(res, 429, { error: { code: 'AF429', message: 'slow down' } }, { 'Retry-After': '0' });
      if (calls === 3) return json(res, 500, { error: { code: 'AF50000', message: 'An internal error occurred.' } });
      if (calls === 4) return json(res, 401, {});
      return json(res, 200, [{ Id: 'a' }, { Id: 'b' }]);
    },
    async (base, seen) => {
      const tokens = new CountingTokens();
      const records = [];
      for await (const element of client(base, tokens, 5).fetchBlob(`${base}/api/v1.0/${TENANT}/activity/feed/audit/b1`, 'b1'))
        if ('record' in element) records.push(element.record.Id);
      assert.deepEqual(records, ['a', 'b']);
      assert.equal(calls, 5);
      assert.deepEqual(tokens.calls, [false, false, false, false, true]);
      assert.equal(seen[4]?.auth, 'Bearer token-5');
      assert.ok(seen.every((s) => s.url.searchParams.get('PublisherIdentifier') === PUBLISHER));
    },
  );
});

test('retries are bounded: the last error is raised with its AF code and kind', async () => {
  await withServer(
    (_req, res) => json(res, 503, { error: { code: 'AF50005', message: 'busy' } }),
    async (base, seen) => {
      await assert.rejects(client(base, new CountingTokens(), 3).startSubscription('Audit.Exchange'), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.kind, 'transient');
        assert.equal(err.code, 'AF50005');
        return true;
      });
      assert.equal(seen.length, 3);
    },
  );
});

test('AF20024 (already enabled) is a successful start; AF20022 is a subscription error', async () => {
  let n = 0;
  await withServer(
    (_req, res) => {
      n += 1;
      if (n === 1) return json(res, 200, { contentType: 'Audit.Exchange', status: 'enabled', webhook: null });
      if (n === 2)
        return json(res, 400, {
          error: { code: 'AF20024', message: 'The subscription is already enabled. No property change.' },
        });
      return json(res, 400, { error: { code: 'AF20022', message: 'No subscription found for the specified content type' } });
    },
    async (base, seen) => {
      const api = client(base);
      assert.equal(await api.startSubscription('Audit.Exchange'), 'started');
      assert.equal(await api.startSubscription('Audit.Exchange'), 'already-enabled');
      await assert.rejects(
        api.listContent('Audit.Exchange', 0, 1000).next(),
        (err: unknown) => err instanceof ApiError && err.kind === 'subscription',
      );
      assert.match(seen[0]?.url.pathname ?? '', new RegExp(`/api/v1.0/${TENANT}/activity/feed/subscriptions/start$`));
    },
  );
});

test('a truncated blob or a body that is not an array is an error, never a partial success', async () => {
  await withServer(
    (req, res, url) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (url.pathname.endsWith('/cut')) {
        res.write('[{"Id":"1"},{"Id":"2"},{"Id":');
        setTimeout(() => req.socket.destroy(), 20);
      } else if (url.pathname.endsWith('/object')) res.end('{"Id":"1"}');
      else res.end('[{"Id":"1"},{"Id":"2"}');
    },
    async (base) => {
      const api = client(base);
      for (const name of ['cut', 'object', 'unterminated']) {
        const got: unknown[] = [];
        await assert.rejects(
          (async () => {
            for await (const record of api.fetchBlob(`${base}/feed/audit/${name}`, name)) got.push(record);
          })(),
          (err: unknown) => err instanceof ApiError && err.afCode === 'INVALID_BLOB' && err.kind === 'transient',
          name,
        );
        assert.ok(got.length <= 2, name);
      }
    },
  );
});

test('clock skew is measured from the Date header', async () => {
  await withServer(
    (_req, res) => json(res, 200, [], { Date: new Date(Date.now() + 3_600_000).toUTCString() }),
    async (base) => {
      const api = client(base);
      for await (const page of api.listContent('Audit.Exchange', 0, 1000)) assert.deepEqual(page, []);
      assert.ok(Math.abs(api.clockSkewMs - 3_600_000) < 10_000, String(api.clockSkewMs));
    },
  );
});

test('elements of a blob that are not objects come with their reason; the records around them are kept', async () => {
  await withServer(
    (_req, res) => json(res, 200, [{ Id: '1' }, 'text', null, 42, [1], { Id: '2' }]),
    async (base) => {
      const got: string[] = [];
      for await (const element of client(base).fetchBlob(`${base}/feed/audit/b`, 'b'))
        got.push('record' in element ? `record ${element.record.Id}` : element.reason);
      assert.deepEqual(got, [
        'record 1',
        'blob b: element 1 is not a JSON object (got string)',
        'blob b: element 2 is not a JSON object (got null)',
        'blob b: element 3 is not a JSON object (got number)',
        'blob b: element 4 is not a JSON object (got array)',
        'record 2',
      ]);
    },
  );
});

test('a redirect is followed only to the API host (with the token); elsewhere it is an error, never an empty success', async () => {
  await withServer(
    (_req, res, url) => {
      if (url.pathname.endsWith('/same')) {
        res.writeHead(302, { location: '/feed/audit/served?sig=abc' });
        return res.end();
      }
      if (url.pathname.endsWith('/away')) {
        res.writeHead(307, { location: 'https://cdn.example/blob?sig=secret-sas' });
        return res.end();
      }
      if (url.pathname.endsWith('/nolocation')) {
        res.writeHead(301);
        return res.end();
      }
      return json(res, 200, [{ Id: 'x' }]);
    },
    async (base, seen) => {
      const api = client(base);
      const got: unknown[] = [];
      for await (const element of api.fetchBlob(`${base}/feed/audit/same`, 'same')) got.push(element);
      assert.deepEqual(got, [{ record: { Id: 'x' }, text: '{"Id":"x"}' }]);
      assert.equal(seen[1]?.url.pathname, '/feed/audit/served');
      assert.equal(seen[1]?.url.searchParams.get('PublisherIdentifier'), PUBLISHER);
      assert.match(seen[1]?.auth ?? '', /^Bearer token-/);
      await assert.rejects(api.fetchBlob(`${base}/feed/audit/away`, 'away').next(), (err: unknown) => {
        assert.ok(err instanceof ApiError);
        assert.equal(err.afCode, 'REDIRECT_NOT_ALLOWED');
        assert.equal(err.kind, 'fatal');
        assert.match(err.message, /redirected \(HTTP 307\) to https:\/\/cdn\.example\/blob, not the API host/);
        assert.ok(!err.message.includes('secret-sas'), 'the query of the Location is not repeated');
        return true;
      });
      await assert.rejects(
        api.fetchBlob(`${base}/feed/audit/nolocation`, 'n').next(),
        (err: unknown) => err instanceof ApiError && err.afCode === 'BAD_REDIRECT',
      );
      assert.equal(seen.length, 4, 'nothing was sent to the foreign host');
    },
  );
});

test('listing entries: optional fields missing are assumed, an entry without contentId/contentUri is skipped alone', async () => {
  const created = '2026-11-30T10:00:00.000Z';
  await withServer(
    (_req, res) =>
      json(res, 200, [
        { contentUri: `https://x/a`, contentId: 'a', contentCreated: created },
        { contentId: 'b', contentCreated: created, contentExpiration: created },
        { contentUri: 'https://x/c', contentCreated: created },
        null,
        { contentUri: 'https://x/d', contentId: 'd' },
      ]),
    async (base) => {
      const pages = [];
      for await (const page of client(base).listContent('Audit.Exchange', 5_000, 10_000)) pages.push(page);
      assert.deepEqual(pages, [
        [
          {
            contentId: 'a',
            contentUri: 'https://x/a',
            contentCreated: Date.parse(created),
            expiration: Date.parse(created) + 7 * 86_400_000,
          },
          { contentId: 'd', contentUri: 'https://x/d', contentCreated: 5_000, expiration: 5_000 + 7 * 86_400_000 },
        ],
      ]);
    },
  );
});
