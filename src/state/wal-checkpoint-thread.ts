// The thread of a WalCheckpointer: its own connection to the state file, running a PASSIVE checkpoint (copy what the
// WAL holds into the database file, fsync; writers go on meanwhile) each time it is asked, and replying once done.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply, CheckpointRequest } from './wal-checkpointer.ts';

const port = parentPort!;
const db = new Database((workerData as { path: string }).path);
db.pragma('busy_timeout = 5000');

port.on('message', (request: CheckpointRequest) => {
  if (request === 'close') {
    db.close();
    port.close();
    return;
  }
  let reply: CheckpointReply;
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    reply = { frames: result?.checkpointed ?? 0 };
  } catch (err) {
    reply = { error: (err as Error).message, code: (err as { code?: string }).code };
  }
  port.postMessage(reply);
});
