import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../observability/logger.ts';
import { Writable } from 'node:stream';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { StreamHealth } from '../core/health.ts';
import { silentLogger } from '../observability/logger.ts';
import { sampleEvents } from '../store/testing/sample-events.ts';
import type { AlertWithEvents, EventPage, StoredEvent } from '../store/types.ts';
import { webSchema } from './config.ts';
import { createWebServer } from './server.ts';
import { NOW, sampleHealth, startTestServer, type TestServer } from './testing/test-server.ts';

let ctx: TestServer;
/** Events added by single tests go to their own tenant so the counts other tests check stay put. */
const ISOLATED = { tenantId: 'hostile', tenantName: 'hostile', contentType: 'Audit.General' };
let auth: Record<string, string>;

before(async () => {
  ctx = await startTestServer();
  auth = { authorization: `Bearer ${ctx.server.token}` };
});
after(() => ctx.close());

async function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(new URL(path, ctx.url), { headers, redirect: 'manual' });
}

async function json<T>(path: string): Promise<T> {
  const res = await get(path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return (await res.json()) as T;
}

function cookieOf(res: Response): string {
  const setCookie = res.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /o365_intake_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
  return setCookie.split(';')[0]!;
}

test('the API requires the bearer token', async () => {
  const anonymous = await get('/api/events', {});
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
  assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  assert.equal((await get('/api/events', { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await get(`/api/events?token=${ctx.server.token}`, {})).status, 401, 'the query token is for browsers only');
  assert.equal((await get('/api/events')).status, 200);
});

test('browser sign-in: redirect to login, ?token= once, login form, safe redirects', async () => {
  const page = await get('/alerts?level=high', {});
  assert.equal(page.status, 303);
  assert.equal(page.headers.get('location'), '/login?next=%2Falerts%3Flevel%3Dhigh');

  const viaQuery = await get(`/alerts?level=high&token=${ctx.server.token}`, {});
  assert.equal(viaQuery.status, 303);
  assert.equal(viaQuery.headers.get('location'), '/alerts?level=high', 'the token is stripped from the URL');
  const cookie = cookieOf(viaQuery);
  assert.ok(!cookie.includes(ctx.server.token), 'the cookie is not the token');
  const withCookie = await get('/alerts?level=high', { cookie });
  assert.equal(withCookie.status, 200);
  assert.match(await withCookie.text(), /Member added to Global Administrator role/);

  const wrongQuery = await get('/events?token=wrong', {});
  assert.equal(wrongQuery.status, 303);
  assert.match(wrongQuery.headers.get('location') ?? '', /^\/login\?next=%2Fevents&failed=1$/);

  const post = (body: string) =>
    fetch(new URL('/login', ctx.url), {
      method: 'POST',
      body,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  const good = await post(`token=${encodeURIComponent(ctx.server.token)}&next=${encodeURIComponent('/health')}`);
  assert.equal(good.status, 303);
  assert.equal(good.headers.get('location'), '/health');
  cookieOf(good);
  const offsite = await post(`token=${encodeURIComponent(ctx.server.token)}&next=${encodeURIComponent('//evil.example/')}`);
  assert.equal(offsite.headers.get('location'), '/events', 'no open redirect');
  const bad = await post('token=guess&next=/health');
  assert.equal(bad.status, 401);
  assert.match(await bad.text(), /That token is not valid/);

  const logout = await fetch(new URL('/logout', ctx.url), { method: 'POST', headers: { cookie }, redirect: 'manual' });
  assert.equal(logout.status, 303);
  assert.match(logout.headers.get('set-cookie') ?? '', /o365_intake_session=;/);
});

test('failed sign-ins are throttled per client address, logged, and never lock out the right token', async () => {
  let now = NOW;
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write: (c, _e, done) => {
        lines.push(c.toString());
        done();
      },
    }),
  );
  const own = await startTestServer({ events: 12, now: () => now, logger, web: { trust_proxy: true } });
  try {
    const attempt = (token: string, client = '198.51.100.7') =>
      fetch(new URL('/api/events', own.url), { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client } });
    for (let i = 0; i < 10; i++) assert.equal((await attempt('guess-123456')).status, 401);
    assert.equal((await attempt('guess-123456')).status, 401, 'once a second, an attempt is still checked');
    const refused = await attempt('guess-123456');
    assert.equal(refused.status, 429, 'the other attempts of that second are refused unchecked');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal((await attempt(own.server.token)).status, 429, 'within the same second even the right token waits');
    assert.equal((await attempt(own.server.token, '203.0.113.50')).status, 200, 'another client address is not throttled');
    now += 1_000;
    assert.equal((await attempt(own.server.token)).status, 200, 'a second later the right token gets in');
    assert.equal((await attempt('guess-123456')).status, 401, 'and a success clears the failures');
    const failures = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'failed sign-in to the web page or API');
    assert.equal(failures.length, 12);
    assert.equal(failures[0].client, '198.51.100.7', 'X-Forwarded-For is honoured with web.trust_proxy');
    assert.equal(failures[0].via, 'bearer');
    assert.ok(!lines.join('').includes('guess-123456'), 'what was offered is never logged');
  } finally {
    await own.close();
  }
});

test('without web.trust_proxy, X-Forwarded-For does not choose the throttled address', async () => {
  const own = await startTestServer({ events: 12 });
  try {
    const attempt = (client: string) =>
      fetch(new URL('/api/events', own.url), { headers: { authorization: 'Bearer guess', 'x-forwarded-for': client } });
    for (let i = 0; i < 11; i++) await attempt(`192.0.2.${i}`);
    assert.equal((await attempt('192.0.2.200')).status, 429, 'all attempts count against the real peer address');
  } finally {
    await own.close();
  }
});

test('sessions are server-side: they expire, and signing out revokes them even if the cookie is sent again', async () => {
  let now = NOW;
  const own = await startTestServer({ events: 12, now: () => now, web: { session_ttl: '2h' } });
  try {
    const signIn = async () => {
      const res = await fetch(new URL(`/events?token=${own.server.token}`, own.url), { redirect: 'manual' });
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      assert.ok(cookie.startsWith('o365_intake_session='));
      return cookie;
    };
    const page = (cookie: string) => fetch(new URL('/events', own.url), { headers: { cookie }, redirect: 'manual' });
    const first = await signIn();
    const second = await signIn();
    assert.notEqual(first, second, 'a new random session id per sign-in, nothing derived from the token');
    assert.equal((await page(first)).status, 200);
    now += 2 * 3_600_000 - 1;
    assert.equal((await page(first)).status, 200);
    now += 1;
    assert.equal((await page(first)).status, 303, 'expired after session_ttl');
    const third = await signIn();
    await fetch(new URL('/logout', own.url), { method: 'POST', headers: { cookie: third }, redirect: 'manual' });
    assert.equal((await page(third)).status, 303, 'revoked on sign-out');
  } finally {
    await own.close();
  }
});

test('/metrics needs the token when web.metrics_auth is set', async () => {
  const own = await startTestServer({ events: 12, web: { metrics_auth: true } });
  try {
    assert.equal((await fetch(new URL('/metrics', own.url))).status, 401);
    const res = await fetch(new URL('/metrics', own.url), { headers: { authorization: `Bearer ${own.server.token}` } });
    assert.equal(res.status, 200);
  } finally {
    await own.close();
  }
  assert.equal((await get('/metrics', {})).status, 200, 'open by default (scrapers on the same host)');
});

test('the next address after sign-in is a same-origin path whatever is sent, never a 500', async () => {
  const post = (next: string) =>
    fetch(new URL('/login', ctx.url), {
      method: 'POST',
      body: `token=${encodeURIComponent(ctx.server.token)}&next=${encodeURIComponent(next)}`,
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  for (const next of [
    '//evil.example/',
    '/\t/evil.example',
    '/\\evil.example',
    '/\n/evil.example',
    '/\u0000x',
    'https://evil.example/',
    '/%0d%0aSet-Cookie:x',
  ]) {
    const res = await post(next);
    assert.equal(res.status, 303, JSON.stringify(next));
    const location = res.headers.get('location') ?? '';
    assert.ok(
      location.startsWith('/') && !location.startsWith('//') && !/[\s\\]/.test(location),
      `${JSON.stringify(next)} → ${location}`,
    );
    assert.equal(new URL(location, 'http://x.invalid').origin, 'http://x.invalid');
  }
  const kept = await post('/alerts?level=high#top');
  assert.equal(kept.headers.get('location'), '/alerts?level=high#top');
});

test('security headers on pages, API and public endpoints', async () => {
  for (const [path, headers] of [
    ['/events', auth],
    ['/api/alerts', auth],
    ['/healthz', {}],
    ['/login', {}],
  ] as const) {
    const res = await get(path, headers);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline script`);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('cache-control'), 'no-store');
  }
  const html = await (await get('/events')).text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
  assert.doesNotMatch(html, /\sstyle=/, 'no inline style');
  assert.doesNotMatch(html, /\son[a-z]+=/, 'no inline handlers');
  assert.match(html, /<footer class="attribution">[\s\S]*href="https:\/\/db-ip\.com"[\s\S]*CC BY 4\.0/, 'IP data attribution');
});

test('events API: search, filters, paging, detail, histogram, top values', async () => {
  const first = await json<EventPage>('/api/events?limit=100');
  assert.equal(first.total, 300);
  assert.equal(first.events.length, 100);
  const second = await json<EventPage>(`/api/events?limit=100&cursor=${first.nextCursor}`);
  assert.equal(second.events[0]!.time, first.events[99]!.time - 60_000);

  const filtered = await json<EventPage>('/api/events?q=payroll&tenant=fabrikam&workload=SharePoint&outcome=success&limit=500');
  assert.equal(filtered.total, 50);
  assert.ok(filtered.events.every((e) => e.action === 'FileDownloaded' && e.tenantName === 'fabrikam'));
  const ranged = await json<EventPage>('/api/events?range=30m&to=2026-11-24T12:00:00Z');
  assert.equal(ranged.total, 30, 'range counts back from "to"');
  const user = await json<EventPage>('/api/events?user=bob@contoso.com&ip=198.51.100.23&action=FileDownloaded');
  assert.ok(user.total > 0 && user.events.every((e) => e.user === 'bob@contoso.com' && e.sourceIp === '198.51.100.23'));

  const detail = await json<StoredEvent>(`/api/events/${encodeURIComponent(first.events[2]!.id)}`);
  assert.equal(detail.raw.Operation, 'New-InboxRule');
  assert.equal((detail.ecs.event as { action: string }).action, 'New-InboxRule');
  assert.equal(detail.alertIds.length, 1);
  assert.equal((await get('/api/events/nope')).status, 404);

  const histogram = await json<{ bucketMs: number; buckets: { count: number }[] }>('/api/histogram?workload=Exchange');
  assert.equal(histogram.bucketMs, 5 * 60_000);
  assert.equal(
    histogram.buckets.reduce((n, b) => n + b.count, 0),
    100,
  );
  const top = await json<{ values: { value: string; count: number }[] }>('/api/top?field=tenant');
  assert.deepEqual(top.values, [
    { value: 'contoso', count: 150 },
    { value: 'fabrikam', count: 150 },
  ]);
});

test('export: CSV (formula-safe) and NDJSON of the matching events', async () => {
  const [evil] = sampleEvents(1, NOW - 500);
  ctx.store.insertEvents(
    [{ ...evil!, ...ISOLATED, id: 'hostile:csv-injection', description: '=HYPERLINK("http://evil.example","click"), "quoted"' }],
    NOW,
  );
  const csv = await get('/api/events/export?format=csv&workload=SharePoint&tenant=fabrikam');
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-disposition') ?? '', /attachment; filename="o365-events-.*\.csv"/);
  const lines = (await csv.text()).trim().split('\r\n');
  assert.equal(lines[0], 'time,tenant,tenant_id,content_type,operation,user,source_ip,workload,outcome,description,id');
  assert.equal(lines.length, 51);
  assert.ok(lines.slice(1).every((l) => l.includes(',FileDownloaded,') && l.includes(',fabrikam,')));
  const injected = await (await get('/api/events/export?format=csv&q=HYPERLINK')).text();
  assert.ok(injected.includes(`,"'=HYPERLINK(""http://evil.example"",""click""), ""quoted""",`), injected);

  const ndjson = await get('/api/events/export?format=ndjson&action=New-InboxRule');
  assert.equal(ndjson.headers.get('content-type'), 'application/x-ndjson');
  const docs = (await ndjson.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as StoredEvent);
  assert.equal(docs.length, 50);
  assert.ok(
    docs.every((d) => d.raw.Operation === 'New-InboxRule' && (d.ecs.event as { action: string }).action === 'New-InboxRule'),
  );
  assert.equal((await get('/api/events/export?format=xlsx')).status, 400);
});

test('bad parameters are answered 400 naming the parameter', async () => {
  const cases: [string, RegExp][] = [
    ['/api/events?from=yesterday', /from: "yesterday" is not a time/],
    ['/api/events?range=soon', /range: "soon" is not a duration/],
    ['/api/events?limit=9999', /limit: must be an integer between 1 and 500/],
    ['/api/events?limit=abc', /limit: must be a whole number/],
    ['/api/events?cursor=zzz', /cursor: is not a cursor/],
    ['/api/events?q=user.name%3A(alice', /"\(" is never closed \(at character 11\)/],
    ['/api/events?from=2026-11-24T12:00:00Z&to=2026-11-24T11:00:00Z', /from: must be before "to"/],
    ['/api/alerts?level=severe', /level: must be one of informational, low, medium, high, critical/],
    ['/api/top?field=password', /field: must be one of/],
  ];
  for (const [path, message] of cases) {
    const res = await get(path);
    assert.equal(res.status, 400, path);
    const body = (await res.json()) as { error: { message: string; field: string } };
    assert.match(body.error.message, message, path);
  }
  const page = await get('/events?from=yesterday');
  assert.equal(page.status, 400);
  assert.match(await page.text(), /class="banner error" role="alert">from: &quot;yesterday&quot; is not a time/);
});

test('alerts API: list, filter, detail with linked events', async () => {
  const all = await json<{ alerts: { id: string; level: string }[] }>('/api/alerts');
  assert.equal(all.alerts.length, 3);
  const critical = await json<{ alerts: { id: string }[] }>('/api/alerts?level=critical');
  assert.deepEqual(
    critical.alerts.map((a) => a.id),
    ['alert-admin-role'],
  );
  const brute = await json<AlertWithEvents>('/api/alerts/alert-bruteforce');
  assert.equal(brute.events.length, 6);
  assert.ok(brute.events.every((e) => e.action === 'UserLoginFailed'));
  assert.deepEqual(brute.missingEventIds, []);
  assert.equal((await get('/api/alerts/nope')).status, 404);
  const page = await (await get('/alerts/alert-bruteforce')).text();
  assert.match(page, /user\.name=alice/);
  assert.equal((page.match(/<tr data-href="\/events\//g) ?? []).length, 6);
});

test('health: merged view, /healthz status codes, /metrics', async () => {
  const view = await json<{
    rows: {
      tenantName: string;
      contentType: string;
      status: string;
      eventsPerMinute: number;
      storedEvents: number;
      lagMs?: number;
    }[];
  }>('/api/health');
  const aad = view.rows.find((r) => r.tenantName === 'contoso' && r.contentType === 'Audit.AzureActiveDirectory');
  assert.equal(aad?.status, 'ok');
  assert.equal(aad?.storedEvents, 100);
  assert.equal(aad?.eventsPerMinute, 20, '100 events stored a minute ago, over 5 minutes');
  assert.equal(aad?.lagMs, 20 * 60_000);
  assert.equal(
    view.rows.find((r) => r.contentType === 'Audit.SharePoint')?.status,
    'unknown',
    'streams only the store knows are listed too',
  );

  const healthz = await get('/healthz', {});
  assert.equal(healthz.status, 200);
  const body = (await healthz.json()) as { ok: boolean; streams: Record<string, number> };
  assert.equal(body.ok, true);
  assert.equal(body.streams.error, 1);

  const failing: StreamHealth[] = sampleHealth().map((h) => ({ ...h, status: 'error' }));
  const down = await startTestServer({ events: 12, health: { streamHealth: async () => failing } });
  const broken = await startTestServer({
    events: 12,
    health: {
      streamHealth: async () => {
        throw new Error('state store locked');
      },
    },
  });
  try {
    assert.equal((await fetch(new URL('/healthz', down.url))).status, 503);
    const res = await fetch(new URL('/healthz', broken.url));
    assert.equal(res.status, 503);
    assert.match(((await res.json()) as { error: string }).error, /state store locked/);
    const page = await fetch(new URL('/health', broken.url), { headers: { authorization: `Bearer ${broken.server.token}` } });
    assert.match(await page.text(), /collector health is unavailable: state store locked/);
  } finally {
    await down.close();
    await broken.close();
  }

  const metrics = await get('/metrics', {});
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
});

test('everything rendered is escaped', async () => {
  const [evil] = sampleEvents(1, NOW - 1000);
  const hostile = {
    ...evil!,
    ...ISOLATED,
    id: 'hostile:<img src=x onerror=alert(1)>',
    description: '<script>alert("xss")</script> & "quotes"',
    raw: { ...evil!.raw, Operation: '<b>bold</b>', Evil: '</pre><script>alert(2)</script>' },
    ecs: { ...evil!.ecs, event: { action: '"><svg onload=alert(3)>' } },
  };
  ctx.store.insertEvents([hostile], NOW);
  const list = await (await get('/events?range=1h&to=2026-11-24T14:00:00Z')).text();
  const detail = await (await get(`/events/${encodeURIComponent(hostile.id)}`)).text();
  for (const page of [list, detail]) {
    assert.ok(!page.includes('<script>alert'), 'no script injected');
    assert.ok(!page.includes('<svg onload'), 'no markup injected');
    assert.ok(!page.includes('<img src=x'), 'no markup injected');
  }
  assert.match(detail, /&lt;script&gt;alert\(&quot;xss&quot;\)&lt;\/script&gt; &amp; &quot;quotes&quot;/);
  assert.match(detail, /&lt;\/pre&gt;&lt;script&gt;alert\(2\)/);
});

test('the token is never rendered', async () => {
  for (const path of [
    '/events',
    '/alerts',
    '/health',
    '/login',
    '/api/events',
    '/api/health',
    '/healthz',
    '/metrics',
    '/static/app.js',
  ]) {
    const body = await (await get(path)).text();
    assert.ok(!body.includes(ctx.server.token), `${path} does not contain the token`);
  }
});

test('a generated token is persisted (0600) and reused; a configured one wins', async () => {
  const store = ctx.store;
  const deps = {
    store,
    analyst: ctx.analyst,
    health: { streamHealth: async () => [] },
    logger: silentLogger,
    metricsRegistry: new Registry(),
    dataDir: join(ctx.dataDir, 'fresh'),
  };
  const first = createWebServer({ config: webSchema.parse({ port: 0 }), ...deps });
  assert.equal(first.tokenGenerated, true);
  assert.ok(first.token.length >= 32);
  const file = join(ctx.dataDir, 'fresh', 'web-token');
  assert.equal(first.tokenFile, file);
  assert.equal(readFileSync(file, 'utf8').trim(), first.token);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = createWebServer({ config: webSchema.parse({ port: 0 }), ...deps });
  assert.equal(second.tokenGenerated, false);
  assert.equal(second.token, first.token);
  const configured = createWebServer({ config: webSchema.parse({ port: 0, auth_token: 'configured-token-123' }), ...deps });
  assert.equal(configured.token, 'configured-token-123');
  assert.equal(configured.tokenGenerated, false);
  const url = await configured.listen();
  try {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(
      (await fetch(new URL('/api/alerts', url), { headers: { authorization: 'Bearer configured-token-123' } })).status,
      200,
    );
  } finally {
    await configured.close();
  }
});
