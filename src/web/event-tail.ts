import type { FastifyInstance } from 'fastify';
import type { EventQuery } from '../store/event-query.ts';
import type { EventStore } from '../store/event-store.ts';
import type { EventSummary } from '../store/types.ts';
import { WebQueryError } from './errors.ts';
import { cleanParams, eventQueryOf, parseTime } from './query-params.ts';
import { CONTENT_SECURITY_POLICY } from './security-headers.ts';

export interface TailOptions {
  store: EventStore;
  now: () => number;
  /** How often the store is asked for new events (default 2 s). */
  pollMs?: number;
  /** Open tails per process at most (default 20): each one polls the store. */
  maxStreams?: number;
}

/** Newest events read per poll; a burst larger than this shows its newest part (the page says how to see all). */
const POLL_LIMIT = 200;
/** Ids remembered per stream so an event is sent once. */
const SEEN_MAX = 5000;
const HEARTBEAT_MS = 15_000;

/**
 * Live tail: `GET /api/events/tail?<search params>&since=<epoch ms>` is a server-sent-events stream. Each `events`
 * message is a JSON array of new event summaries (oldest first) matching the search, with event time ≥ `since`
 * and not sent before. The `to` bound and paging do not apply to a tail.
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
    const since = params.since ? parseTime('since', params.since) : now();
    const { since: _since, to: _to, cursor: _cursor, limit: _limit, ...search } = params;
    const base = eventQueryOf(search, now());
    if (streams.size >= maxStreams)
      throw new WebQueryError('tail', `at most ${maxStreams} live tails at once: close one and retry`);
    const query: EventQuery = { ...base, from: Math.max(base.from ?? since, since), limit: POLL_LIMIT };

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

    const seen = new Set<string>();
    let busy = false;
    let closed = false;
    const poll = async () => {
      if (busy || closed) return;
      busy = true;
      try {
        const page = await store.searchEvents(query);
        const fresh: EventSummary[] = page.events.filter((e) => !seen.has(e.id)).reverse();
        for (const e of fresh) seen.add(e.id);
        if (seen.size > SEEN_MAX) {
          for (const id of [...seen].slice(0, seen.size - SEEN_MAX)) seen.delete(id);
        }
        if (fresh.length > 0 && !closed) res.write(`event: events\ndata: ${JSON.stringify(fresh)}\n\n`);
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
