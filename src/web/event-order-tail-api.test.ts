import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleEvents } from '../store/testing/sample-events.ts';
import type { EventPage, EventSummary } from '../store/types.ts';
import { NOW, startTestServer, type TestServer } from './testing/test-server.ts';

let ctx: TestServer;
let auth: Record<string, string>;

before(async () => {
  ctx = await startTestServer({ tailPollMs: 50 });
  auth = { authorization: `Bearer ${ctx.server.token}` };
});
after(() => ctx.close());

async function json<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, ctx.url), { headers: auth });
  assert.equal(res.status, 200, `${path}: ${res.status} ${res.status === 200 ? '' : await res.text()}`);
  return (await res.json()) as T;
}

/** Reads server-sent `events` messages until `done` says enough (bounded by a deadline). */
async function readTail(
  path: string,
  done: (events: EventSummary[]) => boolean,
  headers: Record<string, string> = {},
): Promise<{ events: EventSummary[]; ids: string[] }> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), 10_000);
  const res = await fetch(new URL(path, ctx.url), { headers: { ...auth, ...headers }, signal: controller.signal });
  assert.equal(res.status, 200);
  const events: EventSummary[] = [];
  const ids: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  try {
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = message.split('\n');
        if (lines.includes('event: events')) {
          ids.push(lines.find((l) => l.startsWith('id: '))!.slice(4));
          events.push(...(JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as EventSummary[]));
        }
        end = buffer.indexOf('\n\n');
      }
      if (done(events)) break;
    }
  } finally {
    clearTimeout(deadline);
    controller.abort();
  }
  return { events, ids };
}

test('events API: order=asc sorts the whole result oldest first; pages continue; a cursor keeps its order', async () => {
  const newest = await json<EventPage>('/api/events?range=all&limit=500');
  const oldestFirst: string[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 20; guard++) {
    const page = await json<EventPage>(`/api/events?range=all&order=asc&limit=70${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.total, newest.total);
    oldestFirst.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  assert.ok(newest.total > 70, 'more than one page');
  assert.deepEqual(oldestFirst, newest.events.map((e) => e.id).reverse());

  const desc = await json<EventPage>('/api/events?range=all&limit=5');
  const refused = await fetch(new URL(`/api/events?range=all&order=asc&cursor=${desc.nextCursor}`, ctx.url), { headers: auth });
  assert.equal(refused.status, 400);
  assert.match(await refused.text(), /order=desc/);
  const bad = await fetch(new URL('/api/events?order=sideways', ctx.url), { headers: auth });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /order/);
});

test('live tail: an event with an old event time, ingested after the tail started, is delivered once', async () => {
  const page = await json<EventPage>('/api/events?range=all&tenant=contoso&limit=1');
  // Ten days older than anything on the page: a tail by event time would never show it.
  const [late, otherTenant] = sampleEvents(2, NOW - 10 * 86_400_000).map((e, i) => ({
    ...e,
    id: `${e.tenantId}:late-arrival-${i}`,
    description: `late-arrival ${i}`,
  }));
  const tail = readTail(`/api/events/tail?range=all&tenant=contoso&after=${page.tailCursor}`, (events) =>
    events.some((e) => e.id === late!.id),
  );
  setTimeout(() => ctx.store.insertEvents([late!, otherTenant!], NOW), 200);
  const { events, ids } = await tail;
  assert.deepEqual(
    events.map((e) => e.id),
    [late!.id],
    'the late event, not the other tenant',
  );
  assert.equal(events[0]!.time, NOW - 10 * 86_400_000);

  // A reconnecting browser sends the last message id: nothing is sent again, the next event is.
  const [next] = sampleEvents(1, NOW - 5 * 86_400_000).map((e) => ({ ...e, id: `${e.tenantId}:late-arrival-next` }));
  const resumed = readTail(
    `/api/events/tail?range=all&tenant=contoso&after=${page.tailCursor}`,
    (got) => got.some((e) => e.id === next!.id),
    { 'last-event-id': ids.at(-1)! },
  );
  setTimeout(() => ctx.store.insertEvents([next!], NOW), 200);
  assert.deepEqual(
    (await resumed).events.map((e) => e.id),
    [next!.id],
  );

  const bad = await fetch(new URL('/api/events/tail?after=not-a-cursor', ctx.url), { headers: auth });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /after/);
});
