/**
 * Test-only child process: runs the collector against an emulator until everything listed is delivered, then exits 0.
 * Usage: node --import tsx src/collector/testing/run-collector.ts <job.json>
 * job.json: { state, output, tenants: [tenant config…], collection: {…} }. Exit 2 if not idle after `maxCycles`.
 * With `stallGroupCommit`, the first group commit of two or more batches (their events already written and fsynced
 * to the output) prints `group-written` and never commits: the test SIGKILLs the process right there.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { silentLogger } from '../../observability/logger.ts';
import { FileSink } from '../../sinks/file.ts';
import { SqliteStateStore } from '../../state/sqlite-state-store.ts';
import type { BatchCommit } from '../../state/state-store.ts';
import { createCollector } from '../collector.ts';
import { collectionSchema, tenantSchema } from '../config.ts';
import { SinkDelivery } from './sink-delivery.ts';

interface Job {
  state: string;
  output: string;
  tenants: unknown[];
  collection?: Record<string, unknown>;
  maxCycles?: number;
  stallGroupCommit?: boolean;
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Job;
const config = { tenants: z.array(tenantSchema).parse(job.tenants), collection: collectionSchema.parse(job.collection ?? {}) };
/** The state store, with a stall point between a group's sink write and its state commit when the job asks for one. */
class StallingStateStore extends SqliteStateStore {
  override async commitBatches(commits: readonly BatchCommit[]): Promise<void> {
    if (job.stallGroupCommit && commits.length >= 2) {
      process.stdout.write('group-written\n');
      await new Promise<never>(() => setInterval(() => undefined, 1000)); // until SIGKILL
    }
    return super.commitBatches(commits);
  }
}

const state = new StallingStateStore(job.state);
const delivery = new SinkDelivery([new FileSink({ name: 'file', path: job.output, logger: silentLogger })]);
await state.recordBaselinePositions(await delivery.open(await state.sinkPositions()));
const collector = createCollector({ config, stateStore: state, delivery, logger: silentLogger });
process.stdout.write('ready\n');

let idle = false;
for (let cycle = 0; cycle < (job.maxCycles ?? 50) && !idle; cycle += 1) {
  const results = await collector.runOnce();
  const health = await state.streamHealth();
  const waiting = health.reduce((n, h) => n + h.pendingBlobs + h.quarantinedBlobs, 0);
  idle = waiting === 0 && results.every((r) => !r.error && r.blobsListed === 0 && r.blobsFetched === 0 && r.blobsFailed === 0);
  if (!idle) await new Promise((resolve) => setTimeout(resolve, 50));
}
await collector.stop();
await delivery.close();
await state.close();
process.exit(idle ? 0 : 2);
