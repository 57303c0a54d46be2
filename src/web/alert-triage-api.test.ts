import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sampleAlert, sampleEvents } from '../store/testing/sample-events.ts';
import type { AlertGroup } from './alerts-overview.ts';
import { NOW, startTestServer, type TestServer } from './testing/test-server.ts';

/** Triage, saved searches, the audit log and the live tail through HTTP, as a browser and as an API client. */

let ctx: TestServer;
let bearer: Record<string, string>;
/** A signed-in browser: its cookies (session, analyst name, CSRF nonce) and the CSRF token its pages carry. */
let browser: { cookie: string; csrf: string; origin: string };

function cookiesOf(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

async function signIn(name: string): Promise<typeof browser> {
  const login = await fetch(new URL('/login', ctx.url), {
    method: 'POST',
    body: new URLSearchParams({ token: ctx.server.token, name, next: '/alerts' }),
    redirect: 'manual',
  });
  assert.equal(login.status, 303);
  const jar = cookiesOf(login);
  const page = await fetch(new URL('/alerts', ctx.url), { headers: { cookie: jar.join('; ') } });
  assert.equal(page.status, 200);
  jar.push(...cookiesOf(page));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(csrf, 'the alerts page carries a CSRF token');
  return { cookie: jar.join('; '), csrf, origin: new URL(ctx.url).origin };
}

before(async () => {
  ctx = await startTestServer({ tailPollMs: 100 });
  bearer = { authorization: `Bearer ${ctx.server.token}` };
  browser = await signIn('Riley <script>');
});
after(() => ctx.close());

async function postJson(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(new URL(path, ctx.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    redirect: 'manual',
  });
}

async function auditOf(id: string) {
  const res = await fetch(new URL(`/api/audit?target=alert&id=${encodeURIComponent(id)}`, ctx.url), { headers: bearer });
  assert.equal(res.status, 200);
  return ((await res.json()) as { entries: { action: string; actor: string; ip: string; detail: Record<string, unknown> }[] })
    .entries;
}

test('a browser triage request without the CSRF token, or from another origin, is refused and changes nothing', async () => {
  const cookie = { cookie: browser.cookie };
  const missing = await postJson('/api/alerts/triage', { ids: ['alert-admin-role'], status: 'closed' }, cookie);
  assert.equal(missing.status, 403);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'CSRF_REFUSED');

  const wrong = await postJson(
    '/api/alerts/triage',
    { ids: ['alert-admin-role'], status: 'closed' },
    {
      ...cookie,
      'x-csrf-token': `${browser.csrf}x`,
    },
  );
  assert.equal(wrong.status, 403);

  const crossSite = await fetch(new URL('/alerts/triage', ctx.url), {
    method: 'POST',
    headers: { ...cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: browser.csrf, ids: 'alert-admin-role', status: 'closed' }),
    redirect: 'manual',
  });
  assert.equal(crossSite.status, 403, 'a valid token does not help a request from another origin');

  const opaque = await fetch(new URL('/alerts/triage', ctx.url), {
    method: 'POST',
    headers: { ...cookie, origin: 'null', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: browser.csrf, ids: 'alert-admin-role', status: 'closed' }),
    redirect: 'manual',
  });
  assert.equal(opaque.status, 403);

  const saved = await postJson('/api/saved-searches', { name: 'x', query: 'q=a' }, cookie);
  assert.equal(saved.status, 403, 'saved searches are guarded the same way');

  const state = await fetch(new URL('/api/alerts/alert-admin-role/triage', ctx.url), { headers: bearer });
  assert.equal(((await state.json()) as { state: { status: string } }).state.status, 'new');
  assert.deepEqual(await auditOf('alert-admin-role'), []);
});

test('a triage form with the token changes status, assignee and comment, and audits who, when and from where', async () => {
  const res = await fetch(new URL('/alerts/triage', ctx.url), {
    method: 'POST',
    headers: {
      cookie: browser.cookie,
      origin: 'null',
      'sec-fetch-site': 'same-origin',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      _csrf: browser.csrf,
      ids: 'alert-admin-role',
      status: 'acknowledged',
      assignee: 'Sam',
      comment: 'Checking with the tenant admin',
      back: '/alerts?status=new',
    }),
    redirect: 'manual',
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/alerts?status=new');

  const detail = (await (await fetch(new URL('/api/alerts/alert-admin-role/triage', ctx.url), { headers: bearer })).json()) as {
    state: { status: string; statusBy: string; statusAt: number; assignee: string; comments: number };
    comments: { author: string; text: string }[];
  };
  assert.deepEqual(detail.state, {
    alertId: 'alert-admin-role',
    status: 'acknowledged',
    statusBy: 'Riley <script>',
    statusAt: NOW,
    assignee: 'Sam',
    comments: 1,
  });
  assert.deepEqual(detail.comments, [{ author: 'Riley <script>', at: NOW, text: 'Checking with the tenant admin' }]);
  const audit = await auditOf('alert-admin-role');
  assert.deepEqual(
    audit.map((a) => [a.action, a.actor, a.detail]),
    [
      ['alert.comment', 'Riley <script>', { text: 'Checking with the tenant admin' }],
      ['alert.assign', 'Riley <script>', { from: null, to: 'Sam' }],
      ['alert.status', 'Riley <script>', { from: 'new', to: 'acknowledged' }],
    ],
  );
  assert.ok(audit.every((a) => a.ip === '127.0.0.1'));

  const page = await (await fetch(new URL('/alerts/alert-admin-role', ctx.url), { headers: { cookie: browser.cookie } })).text();
  assert.ok(page.includes('Riley &lt;script&gt;') && !page.includes('Riley <script>'), 'the analyst name is escaped');

  const auditPage = await (await fetch(new URL('/audit', ctx.url), { headers: { cookie: browser.cookie } })).text();
  const rows = [...auditPage.matchAll(/<tr><td class="nowrap mono">.*?<\/tr>/g)].map((m) => m[0]);
  assert.equal(rows.length, 3);
  assert.match(
    rows[2]!,
    /Riley &lt;script&gt;.*127\.0\.0\.1.*href="\/alerts\/alert-admin-role".*set status <b>new<\/b> → <b>acknowledged<\/b>/,
  );
});

test('bulk triage over the API (bearer token: no CSRF token needed) and the audit names the client', async () => {
  const res = await postJson(
    '/api/alerts/triage',
    { ids: ['alert-bruteforce', 'alert-admin-role'], status: 'closed', comment: 'Done' },
    { ...bearer, 'x-analyst': 'soar-playbook' },
  );
  assert.equal(res.status, 200);
  const { alerts } = (await res.json()) as { alerts: { alertId: string; status: string; statusBy: string }[] };
  assert.deepEqual(
    alerts.map((a) => [a.alertId, a.status, a.statusBy]),
    [
      ['alert-bruteforce', 'closed', 'soar-playbook'],
      ['alert-admin-role', 'closed', 'soar-playbook'],
    ],
  );
  assert.deepEqual(
    (await auditOf('alert-bruteforce')).map((a) => [a.action, a.actor]),
    [
      ['alert.comment', 'soar-playbook'],
      ['alert.status', 'soar-playbook'],
    ],
  );
  const unassign = await postJson('/api/alerts/triage', { ids: ['alert-admin-role'], unassign: true }, bearer);
  assert.equal(((await unassign.json()) as { alerts: { assignee?: string }[] }).alerts[0]!.assignee, undefined);
  assert.deepEqual((await auditOf('alert-admin-role'))[0]!.detail, { from: 'Sam', to: null });

  const overview = (await (await fetch(new URL('/api/alerts/overview?status=closed', ctx.url), { headers: bearer })).json()) as {
    byStatus: Record<string, number>;
    alerts: { id: string }[];
  };
  assert.deepEqual(overview.byStatus, { new: 1, acknowledged: 0, closed: 2 });
  assert.deepEqual(overview.alerts.map((a) => a.id).sort(), ['alert-admin-role', 'alert-bruteforce']);
});

test('bad triage requests are answered 400 naming what is wrong, never 500', async () => {
  const cases: [unknown, RegExp][] = [
    [{ ids: [], status: 'closed' }, /ids: select at least one alert/],
    [{ ids: ['alert-bruteforce'], status: 'resolved' }, /status: must be one of new, acknowledged, closed/],
    [{ ids: ['alert-bruteforce'] }, /give a status, an assignee or a comment/],
    [{ ids: [42], status: 'closed' }, /ids: must be alert ids/],
    [{ ids: ['[not json'], status: 'closed' }, /ids: is not a JSON list/],
    [{ ids: ['alert-bruteforce'], comment: 'x'.repeat(10_001) }, /comment: at most 10000 characters/],
    [[1, 2], /body: send a JSON object/],
  ];
  for (const [body, message] of cases) {
    const res = await postJson('/api/alerts/triage', body, bearer);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match(((await res.json()) as { error: { message: string } }).error.message, message);
  }
  assert.equal((await fetch(new URL('/api/alerts/overview?status=open', ctx.url), { headers: bearer })).status, 400);
});

test('grouping: one row per rule × entity with count and first/last seen; entity from the alert, its group-by, or its first event', async () => {
  const events = sampleEvents(300);
  const byUser = events.filter((e) => e.raw.Operation === 'UserLoginFailed' && e.raw.UserId === 'bob@contoso.com');
  ctx.store.insertAlerts([
    sampleAlert(byUser.slice(0, 1), {
      id: 'g-1',
      ruleId: 'rule-g',
      title: 'G',
      entity: { kind: 'user', value: 'bob@contoso.com' },
    }),
    sampleAlert(byUser.slice(1, 2), { id: 'g-2', ruleId: 'rule-g', title: 'G' }),
    sampleAlert(byUser.slice(2, 3), { id: 'g-3', ruleId: 'rule-g', title: 'G', groupBy: { 'source.ip': '192.0.2.200' } }),
    // One alert standing for 4 firings of the detector's grouping window.
    sampleAlert(byUser.slice(3, 4), {
      id: 'g-4',
      ruleId: 'rule-g',
      title: 'G',
      entity: { kind: 'ip', value: '198.51.100.99' },
      count: 4,
      firstSeen: NOW - 86_400_000,
      lastSeen: NOW - 3_600_000,
    }),
  ]);
  const res = await fetch(new URL('/api/alerts/overview?rule=rule-g', ctx.url), { headers: bearer });
  const { groups } = (await res.json()) as { groups: AlertGroup[] };
  assert.deepEqual(
    groups.map((g) => [g.entity, g.count, g.alertIds.sort()]).sort((a, b) => String(a[2]).localeCompare(String(b[2]))),
    [
      [{ kind: 'user', value: 'bob@contoso.com' }, 2, ['g-1', 'g-2']],
      [{ kind: 'source.ip', value: '192.0.2.200' }, 1, ['g-3']],
      [{ kind: 'ip', value: '198.51.100.99' }, 1, ['g-4']],
    ],
  );
  const window = groups.find((g) => g.entity?.value === '198.51.100.99')!;
  assert.deepEqual([window.count, window.firings, window.firstSeen, window.lastSeen], [1, 4, NOW - 86_400_000, NOW - 3_600_000]);
  const alertPage = await (await fetch(new URL('/alerts/g-4', ctx.url), { headers: { cookie: browser.cookie } })).text();
  assert.match(alertPage, /<dt>Firings<\/dt><dd class="mono">4 · <time datetime="2026-11-23T14:00:00.000Z">/);
  const bob = groups.find((g) => g.count === 2)!;
  assert.equal(bob.firstSeen, Math.min(byUser[0]!.time, byUser[1]!.time));
  assert.equal(bob.lastSeen, Math.max(byUser[0]!.time, byUser[1]!.time));
  assert.deepEqual((await ctx.analyst.triage.cachedEntities(['g-1', 'g-2', 'g-3'])).get('g-2'), {
    kind: 'user',
    value: 'bob@contoso.com',
  });

  const page = await fetch(new URL('/alerts/group?rule=rule-g&entity=user:bob@contoso.com', ctx.url), {
    headers: { cookie: browser.cookie },
  });
  assert.equal(page.status, 200);
  const body = await page.text();
  const eventRows = [...body.matchAll(/<tr data-href="\/events\/([^"?]+)/g)].map((m) => decodeURIComponent(m[1]!));
  assert.deepEqual(eventRows.sort(), [byUser[0]!.id, byUser[1]!.id].sort(), 'the group shows its alerts’ events only');
  const groupsPage = await (
    await fetch(new URL('/alerts?rule=rule-g&entity=user:bob@contoso.com', ctx.url), { headers: { cookie: browser.cookie } })
  ).text();
  const groupBox = /name="ids" form="triage-form" value="([^"]+)"/.exec(groupsPage)?.[1]?.replaceAll('&quot;', '"');
  assert.ok(groupBox?.startsWith('['), 'a group row selects all its alerts');
  const bulk = await fetch(new URL('/alerts/triage', ctx.url), {
    method: 'POST',
    headers: { cookie: browser.cookie, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: browser.csrf, ids: groupBox!, status: 'acknowledged', back: '/alerts' }),
    redirect: 'manual',
  });
  assert.equal(bulk.status, 303);
  const acked = await ctx.analyst.triage.states(['g-1', 'g-2', 'g-3']);
  assert.deepEqual(
    [...acked.values()].map((st) => st.status),
    ['acknowledged', 'acknowledged', 'new'],
  );
  const entityFilter = await fetch(new URL('/api/alerts/overview?entity=192.0.2.200', ctx.url), { headers: bearer });
  assert.deepEqual(
    ((await entityFilter.json()) as { alerts: { id: string }[] }).alerts.map((a) => a.id),
    ['g-3'],
  );
});

test('saved searches: saved without paging state, listed, deleted, audited', async () => {
  const save = await postJson(
    '/api/saved-searches',
    { name: 'Failures of bob', query: 'q=user.name%3Abob&outcome=failure&cursor=abc&range=7d' },
    bearer,
  );
  assert.equal(save.status, 201);
  const saved = (await save.json()) as { id: number; query: string; createdBy: string };
  assert.equal(saved.query, 'outcome=failure&q=user.name%3Abob&range=7d');
  const list = (await (await fetch(new URL('/api/saved-searches', ctx.url), { headers: bearer })).json()) as {
    searches: { name: string; href: string }[];
  };
  assert.deepEqual(
    list.searches.map((s) => [s.name, s.href]),
    [['Failures of bob', '/events?outcome=failure&q=user.name%3Abob&range=7d']],
  );
  const bad = await postJson('/api/saved-searches', { name: '  ', query: 'q=x' }, bearer);
  assert.equal(bad.status, 400);
  const del = await fetch(new URL(`/api/saved-searches/${saved.id}`, ctx.url), { method: 'DELETE', headers: bearer });
  assert.equal(del.status, 204);
  assert.equal(
    (await fetch(new URL(`/api/saved-searches/${saved.id}`, ctx.url), { method: 'DELETE', headers: bearer })).status,
    404,
  );
  const audit = (await (await fetch(new URL('/api/audit?target=saved-search', ctx.url), { headers: bearer })).json()) as {
    entries: { action: string; targetId: string }[];
  };
  assert.deepEqual(
    audit.entries.map((e) => [e.action, e.targetId]),
    [
      ['search.delete', String(saved.id)],
      ['search.save', String(saved.id)],
    ],
  );
});

test('the live tail streams an event stored after it opened, once', async () => {
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), 10_000);
  const res = await fetch(new URL(`/api/events/tail?tenant=contoso&since=${NOW - 120_000}`, ctx.url), {
    headers: bearer,
    signal: abort.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const [fresh] = sampleEvents(1, NOW - 10_000).map((e) => ({ ...e, id: `${e.tenantId}:tail-api` }));
  const [other] = sampleEvents(2, NOW - 10_000)
    .slice(1)
    .map((e) => ({ ...e, id: `${e.tenantId}:tail-other` }));
  ctx.store.insertEvents([fresh!, other!], NOW);
  let text = '';
  for (let i = 0; i < 50 && !text.includes('event: events'); i++) text += decoder.decode((await reader.read()).value);
  const data = /event: events\ndata: (.*)\n/.exec(text)?.[1];
  assert.ok(data, text);
  assert.deepEqual(
    (JSON.parse(data) as { id: string }[]).map((e) => e.id),
    [fresh!.id],
    'only the tenant searched for (fabrikam’s event is filtered out)',
  );
  clearTimeout(deadline);
  abort.abort();
});

test('export streams every matching event across pages', async () => {
  const big = await startTestServer({ events: 1234 });
  try {
    const res = await fetch(new URL('/api/events/export?format=csv&range=all', big.url), {
      headers: { authorization: `Bearer ${big.server.token}` },
    });
    assert.equal(res.status, 200);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines.length, 1 + 1234);
    const ids = new Set(lines.slice(1).map((l) => l.split(',').at(-1)));
    assert.equal(ids.size, 1234, 'no event twice');
  } finally {
    await big.close();
  }
});

test('the alerts page shows 100 rows at a time with the counts of all of them', async () => {
  const [event] = sampleEvents(1);
  ctx.store.insertAlerts(
    Array.from({ length: 130 }, (_, i) => sampleAlert([event!], { id: `bulk-${i}`, ruleId: 'rule-many', title: 'Many' })),
  );
  const page = async (query: string) =>
    (await fetch(new URL(`/alerts?${query}`, ctx.url), { headers: { cookie: browser.cookie } })).text();
  const first = await page('view=list&rule=rule-many');
  assert.equal([...first.matchAll(/data-alert-id="/g)].length, 100);
  assert.match(first, /130 alerts · showing 1–100/);
  assert.match(first, /data-status="new">New <span class="count">130<\/span>/);
  const second = await page('view=list&rule=rule-many&page=2');
  assert.equal([...second.matchAll(/data-alert-id="/g)].length, 30);
  const grouped = await page('rule=rule-many');
  assert.match(grouped, /130 alerts in 1 groups/);
});

test('a query-language mistake is answered 400 with its position, never 500', async () => {
  for (const [q, position] of [
    ['(alice', 0],
    ['user.name:', 10],
    ['a AND', 2],
  ] as const) {
    const res = await fetch(new URL(`/api/events?q=${encodeURIComponent(q)}`, ctx.url), { headers: bearer });
    assert.equal(res.status, 400, q);
    const { error } = (await res.json()) as { error: { message: string; position: number } };
    assert.equal(error.position, position, q);
    assert.ok(error.message.length > 0);
  }
});
