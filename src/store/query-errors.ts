import { QuerySyntaxError } from '../query/index.ts';
import { StoreError, StoreQueryError } from './errors.ts';

/** An error as it crosses from a query worker to the main thread (class instances do not survive postMessage). */
export interface SerializedError {
  kind: 'syntax' | 'query' | 'store';
  message: string;
  reason?: string;
  position?: number;
  field?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof QuerySyntaxError)
    return { kind: 'syntax', message: err.message, reason: err.reason, position: err.position };
  if (err instanceof StoreQueryError) return { kind: 'query', message: err.message, field: err.field };
  return { kind: 'store', message: (err as Error)?.message ?? String(err) };
}

export function deserializeError(err: SerializedError): Error {
  if (err.kind === 'syntax') return new QuerySyntaxError(err.reason ?? err.message, err.position ?? 0);
  if (err.kind === 'query') return new StoreQueryError(err.field ?? 'q', err.message.replace(`${err.field}: `, ''));
  return new StoreError(`searching the store failed: ${err.message}`);
}
