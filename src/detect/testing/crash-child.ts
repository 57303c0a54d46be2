/**
 * A detecting collector in its own process, for crash tests: delivers 12 failed sign-ins of one user in batches of 3
 * from one blob, running the bundled rules and committing each batch (and the detection state) to the state store.
 * Usage: crash-child.ts <sqlite path | postgres url> <alerts file> [hang before committing batch N]
 * Prints `uncommitted N` and hangs when told to (the parent then SIGKILLs it), `done` at the end.
 */
import { appendFileSync } from 'node:fs';
import { normalize } from '../../normalize/index.ts';
import { PostgresStateStore } from '../../state/postgres/postgres-state-store.ts';
import { SqliteStateStore } from '../../state/sqlite-state-store.ts';
import type { StateStore, StreamKey } from '../../state/state-store.ts';
import { detectionSchema } from '../config.ts';
import { detectorFromConfig } from '../from-config.ts';
import { signIn } from '../test-support/o365-records.ts';

const [state, alertsFile, hangAt] = process.argv.slice(2) as [string, string, string | undefined];
const BATCH = 3;
const key: StreamKey = { tenantId: 'contoso', contentType: 'Audit.AzureActiveDirectory' };
const records = Array.from({ length: 12 }, (_, i) => signIn('UserLoginFailed', { user: 'alice@contoso.com', minute: i }));

async function openStore(): Promise<StateStore> {
  if (!state.startsWith('postgres')) return new SqliteStateStore(state);
  const store = await PostgresStateStore.open(state, { workerId: 'crash-child', leaseTtlMs: 1000, poolSize: 2 });
  await store.registerStream(key, 'Contoso');
  // A killed predecessor's lease expires after its TTL.
  for (let i = 0; i < 100 && store.leases.held().length === 0; i++) {
    await store.leases.tick();
    if (store.leases.held().length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  if (store.leases.held().length === 0) throw new Error('no lease after 20 s');
  return store;
}

const store = await openStore();
const { detector } = detectorFromConfig(detectionSchema.parse({}));
detector.restore(await store.loadDetectionState!());
store.attachDetectionState!(detector);
await store.registerStream(key, 'Contoso');
await store.enqueueBlobs(
  key,
  [{ contentId: 'blob-1', contentUri: 'https://x/blob-1', contentCreated: 1, expiration: Date.now() + 86_400_000 }],
  Date.now(),
);

for (;;) {
  const [blob] = await store.dueBlobs(key, Date.now(), 1);
  if (!blob || blob.delivered >= records.length) break;
  const batch = records.slice(blob.delivered, blob.delivered + BATCH);
  const batchNumber = blob.delivered / BATCH + 1;
  const alerts = batch.flatMap((raw) => {
    const ecs = normalize(raw);
    return detector.process({
      id: `contoso:${raw.Id}`,
      tenantId: 'contoso',
      time: Date.parse(String(ecs['@timestamp'])),
      ecs,
      raw,
    });
  });
  if (hangAt !== undefined && batchNumber === Number(hangAt)) {
    process.stdout.write(`uncommitted ${batchNumber} ${alerts.length}\n`);
    setInterval(() => undefined, 1000);
    await new Promise(() => undefined);
  }
  const delivered = blob.delivered + batch.length;
  await store.commitBatches([
    {
      key,
      contentId: blob.contentId,
      delivered,
      done: delivered >= records.length,
      eventIds: batch.map((r) => `contoso:${r.Id}`),
      seenUntil: Date.now() + 86_400_000,
      eventsDelivered: batch.length,
      positions: {},
      contentCreated: 1,
    },
  ]);
  // What reached the outside world: alerts of committed batches only.
  for (const alert of alerts) appendFileSync(alertsFile, `${JSON.stringify(alert)}\n`);
}
await store.close();
process.stdout.write('done\n');
