import type { FastifyInstance } from 'fastify';
import type { EventFilter } from '../store/event-query.ts';
import type { EventStore } from '../store/event-store.ts';
import { WebQueryError } from './errors.ts';
import { filterOf } from './event-search.ts';
import { cleanParams, eventQueryOf } from './query-params.ts';
import { CONTENT_SECURITY_POLICY } from './security-headers.ts';

export interface TailOptions {
  store: EventStore;
  now: () => number;
  /** How often the store is asked for new events (default 2 s). */
  pollMs?: number;
  /** Open tails per process at most (default 20): each one polls the store. */
  maxStreams?: number;
}

/** Events read per store call; a larger burst is read in several calls of one poll, up to POLL_CALLS. */
const POLL_LIMIT = 200;
/** Store calls per poll at most: a burst beyond POLL_CALLS × POLL_LIMIT is caught up over the next polls. */
const POLL_CALLS = 5;
const HEARTBEAT_MS = 15_000;

/**
 * Live tail: `GET /api/events/tail?<search params>&after=<tail cursor>` is a server-sent-events stream. Each `events`
 * message is a JSON array of event summaries matching the search, in the order they were stored, each sent once:
 * the events stored after `after` (the events page's `data-tail-cursor`), or after the stream opened when absent.
 * Each message's `id` is the tail cursor, so a reconnecting browser (Last-Event-ID) resumes where it was.
 * Selected by ingestion order, not event time, so an event that arrives late with an old time is still shown.
 * The `to` bound, the sort order and paging do not apply to a tail.
 */
export function registerEventTail(app: FastifyInstance, options: TailOptions): void {
  const { store, now } = options;
  const pollMs = options.pollMs ?? 2000;
  const maxStreams = options.maxStreams ?? 20;
  const streams = new Set<() => void>();
  // Closing the server ends the streams (a hijacked response would otherwise keep it open).
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });

  app.get('/api/events/tail', async (request, reply) => {
    const params = cleanParams(request.query);
    const { after: afterParam, since: _since, to: _to, cursor: _cursor, limit: _limit, order: _order, ...search } = params;
    // A reconnecting EventSource sends the id of the last message it received: it resumes there, nothing sent twice.
    const lastEventId = request.headers['last-event-id'];
    const after = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : afterParam;
    const filter: EventFilter = filterOf(eventQueryOf(search, now()));
    if (streams.size >= maxStreams)
      throw new WebQueryError('tail', `at most ${maxStreams} live tails at once: close one and retry`);
    // Checks the cursor (a bad one is a 400 before the stream starts) or takes the current end of the store.
    let cursor = (await store.tailEvents(filter, after, 1)).cursor;
    if (after !== undefined) cursor = after;

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      Connection: 'keep-alive',
    });
    res.write('retry: 3000\n\n');

    let busy = false;
    let closed = false;
    const poll = async () => {
      if (busy || closed) return;
      busy = true;
      try {
        for (let call = 0; call < POLL_CALLS && !closed; call++) {
          const page = await store.tailEvents(filter, cursor, POLL_LIMIT);
          cursor = page.cursor;
          if (page.events.length > 0 && !closed)
            res.write(`event: events\ndata: ${JSON.stringify(page.events)}\nid: ${cursor}\n\n`);
          if (!page.more) break;
        }
      } catch (err) {
        if (!closed) res.write(`event: failure\ndata: ${JSON.stringify({ message: (err as Error).message })}\n\n`);
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), pollMs);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const stop = () => {
      if (closed) return;
      closed = true;
      streams.delete(stop);
      clearInterval(timer);
      clearInterval(heartbeat);
      res.end();
    };
    streams.add(stop);
    request.raw.on('close', stop);
    res.on('close', stop);
    await poll();
  });
}
