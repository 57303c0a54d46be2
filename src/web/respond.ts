import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.ts';
import { WebQueryError } from './errors.ts';
import { QuerySyntaxError } from '../query/index.ts';
import { StoreQueryError } from '../store/errors.ts';

export function sendHtml(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/** A bad parameter, as answered (400) and shown: `position` is where in the query the parser found the mistake. */
export interface QueryErrorBody {
  field: string;
  message: string;
  code: string;
  position?: number;
}

/** A bad parameter (answered 400, message shown), or undefined for anything else. */
export function queryErrorOf(err: unknown): QueryErrorBody | undefined {
  if (err instanceof QuerySyntaxError) return { field: 'q', message: err.message, code: err.code, position: err.position };
  if (!(err instanceof WebQueryError || err instanceof StoreQueryError)) return undefined;
  const position = (err as { position?: unknown }).position;
  return {
    field: err.field,
    message: err.message,
    code: err.code,
    ...(typeof position === 'number' && Number.isInteger(position) && position >= 0 ? { position } : {}),
  };
}
