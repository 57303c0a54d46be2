import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html.ts';
import { WebQueryError } from './errors.ts';
import { QuerySyntaxError } from '../query/index.ts';
import { StoreQueryError } from '../store/errors.ts';

export function sendHtml(reply: FastifyReply, page: SafeHtml, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/** A bad parameter (answered 400, message shown), or undefined for anything else. */
export function queryErrorOf(err: unknown): { field: string; message: string; code: string; position?: number } | undefined {
  if (err instanceof QuerySyntaxError) return { field: 'q', message: err.message, code: err.code, position: err.position };
  if (err instanceof WebQueryError || err instanceof StoreQueryError)
    return { field: err.field, message: err.message, code: err.code };
  return undefined;
}
