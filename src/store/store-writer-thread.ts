// The store's writer thread: its own connection to the store file and every write of the events page's data (events,
// alerts, retention), one request at a time, so the insert (SQLite, FTS5, LZ4, the commit) runs beside the collecting
// event loop instead of on it. Started by StoreWriter (store-writer.ts).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createEventWrites } from './event-writes.ts';
import { configureConnection } from './sqlite-connection.ts';
import type { WriterData, WriterReply, WriterRequest } from './store-writer.ts';

const { path, maxSizeBytes, limits } = workerData as WriterData;
const db = new Database(path, { fileMustExist: true });
configureConnection(db, maxSizeBytes);
const writes = createEventWrites(db, limits);

const reply = (message: WriterReply) => parentPort?.postMessage(message);

parentPort?.on('message', (request: WriterRequest) => {
  try {
    if (request.op === 'events') reply({ id: request.id, result: writes.insertEvents(request.rows, request.now) });
    else if (request.op === 'alerts') reply({ id: request.id, result: writes.insertAlerts(request.alerts) });
    else if (request.op === 'retention') reply({ id: request.id, result: writes.applyRetention(request.now) });
    else {
      db.close();
      reply({ id: request.id, result: 0 });
    }
  } catch (err) {
    const { message, code } = err as { message?: string; code?: unknown };
    reply({ id: request.id, error: { message: message ?? String(err), ...(typeof code === 'string' ? { code } : {}) } });
  }
});
