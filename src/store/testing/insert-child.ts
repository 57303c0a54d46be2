/**
 * A store writer in its own process, for crash tests: inserts the sample events in batches of 50 from event `from`
 * to event `to` (exclusive) into the SQLite store at `path` through the store's writer thread (as `o365-intake run`
 * writes), printing `batch N` once each batch is committed (where the pipeline would checkpoint), `done` at the end. The parent SIGKILLs it at random points, then delivers again what was not confirmed.
 * Usage: insert-child.ts <path> <from> <to>
 */
import { storeSchema } from '../config.ts';
import { openEventStore } from '../event-store.ts';
import { sampleEvents } from './sample-events.ts';

const [path, from, to] = process.argv.slice(2) as [string, string, string];
const BATCH = 50;
const events = sampleEvents(Number(to)).slice(Number(from));
const store = openEventStore(storeSchema.parse({ path, query_workers: 1 }), { writer: 'thread' });
for (let at = 0; at < events.length; at += BATCH) {
  store.insertEvents(events.slice(at, at + BATCH));
  await store.flush();
  process.stdout.write(`batch ${Number(from) + at + BATCH}\n`);
}
await store.close();
process.stdout.write('done\n');
