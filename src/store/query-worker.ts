// A query worker: its own read-only connection to the store file, one query at a time, so a slow search never
// runs on the event loop that collects. Started by QueryPool (query-pool.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createEventReads, type EventReads } from './event-reads.ts';
import { serializeError } from './query-errors.ts';

export interface QueryRequest {
  id: number;
  op: keyof EventReads;
  args: unknown[];
}

const { path } = workerData as { path: string };
function connect(): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32768');
  db.pragma('mmap_size = 268435456');
  return db;
}
const reads = createEventReads(connect(), connect());

parentPort?.postMessage({ ready: true });
parentPort?.on('message', (request: QueryRequest) => {
  try {
    const fn = reads[request.op] as (...args: unknown[]) => unknown;
    parentPort?.postMessage({ id: request.id, result: fn(...request.args) });
  } catch (err) {
    parentPort?.postMessage({ id: request.id, error: serializeError(err) });
  }
});
