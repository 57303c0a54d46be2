import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './testing/test-server.ts';

let ctx: TestServer;
let auth: Record<string, string>;

before(async () => {
  ctx = await startTestServer({ events: 20_000 });
  auth = { authorization: `Bearer ${ctx.server.token}` };
});
after(() => ctx.close());

const get = (path: string, init: RequestInit = {}) => fetch(new URL(path, ctx.url), { headers: auth, ...init });

/**
 * A search that reads every stored document 50 times (fields no event has, leading wildcards: no index helps):
 * seconds of SQLite work on 20,000 events.
 */
const SLOW = Array.from({ length: 50 }, (_, i) => `raw.F${i}:*x*`).join(' OR ');

test('the query language answers through /api/events, old parameters still apply', async () => {
  const res = await get(
    `/api/events?q=${encodeURIComponent('user.name:alice* AND NOT event.outcome:failure')}&tenant=contoso&range=all`,
  );
  assert.equal(res.status, 200);
  const page = (await res.json()) as { total: number; events: { user: string; outcome: string; tenantName: string }[] };
  assert.ok(page.total > 0);
  assert.ok(page.events.every((e) => e.user === 'alice@contoso.com' && e.outcome !== 'failure' && e.tenantName === 'contoso'));
});

test('a bad query is a 400 with the position of the mistake, never a 500', async () => {
  const res = await get(`/api/events?q=${encodeURIComponent('user.name:"alice')}`);
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { message: string; position: number } };
  assert.equal(body.error.position, 10);
  assert.match(body.error.message, /quote is never closed/);

  const hostile = [
    '((((',
    ')',
    '"',
    'a:',
    'x:[1 TO',
    '@timestamp >= soon',
    '\\',
    'AND',
    '-',
    '*',
    '?',
    'x:{',
    '🙂:🙂',
    '%00',
    'a'.repeat(5000),
  ];
  for (const q of hostile) {
    const r = await get(`/api/events?q=${encodeURIComponent(q)}`);
    assert.ok(r.status === 200 || r.status === 400, `${JSON.stringify(q).slice(0, 40)} → ${r.status}`);
    if (r.status === 400) {
      const { error } = (await r.json()) as { error: { message: string } };
      assert.ok(error.message.length > 0);
    }
  }
  const page = await get(`/events?q=${encodeURIComponent('a OR')}`);
  assert.equal(page.status, 400);
  assert.match(await page.text(), /&quot;OR&quot; needs something after it|"OR" needs something after it/);
});

test('a slow search runs off the event loop: /healthz answers meanwhile, and leaving cancels the search', async () => {
  const client = new AbortController();
  const search = get(`/api/events?q=${encodeURIComponent(SLOW)}&range=all`, { signal: client.signal }).catch((err: Error) => err);
  const started = Date.now();
  while (ctx.store.runningSearches() === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ctx.store.runningSearches(), 1, 'the slow search is running in a worker');

  const t0 = performance.now();
  const health = await fetch(new URL('/healthz', ctx.url));
  const healthMs = performance.now() - t0;
  assert.ok(health.status === 200 || health.status === 503);
  assert.equal(ctx.store.runningSearches(), 1, '/healthz answered while the search was still running');
  // Generous margin on a shared CI machine; the point is it does not wait for the search (seconds).
  assert.ok(healthMs < 500, `/healthz took ${healthMs.toFixed(0)} ms during a search`);

  client.abort();
  assert.ok((await search) instanceof Error);
  const aborted = Date.now();
  while (ctx.store.runningSearches() > 0 && Date.now() - aborted < 2000) await new Promise((r) => setTimeout(r, 10));
  assert.equal(ctx.store.runningSearches(), 0, 'the search stopped when its client went away');

  // The pool replaced the stopped worker: searches still work.
  const res = await get('/api/events?q=event.outcome:failure&range=all&limit=1');
  assert.equal(res.status, 200);
});
