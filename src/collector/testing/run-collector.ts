/**
 * Test-only child process: runs the collector against an emulator until everything listed is delivered, then exits 0.
 * Usage: node --import tsx src/collector/testing/run-collector.ts <job.json>
 * job.json: { state, output, tenants: [tenant config…], collection: {…} }. Exit 2 if not idle after `maxCycles`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { silentLogger } from '../../observability/logger.ts';
import { FileSink } from '../../sinks/file.ts';
import { SqliteStateStore } from '../../state/sqlite-state-store.ts';
import { createCollector } from '../collector.ts';
import { collectionSchema, tenantSchema } from '../config.ts';
import { SinkDelivery } from './sink-delivery.ts';

interface Job {
  state: string;
  output: string;
  tenants: unknown[];
  collection?: Record<string, unknown>;
  maxCycles?: number;
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Job;
const config = { tenants: z.array(tenantSchema).parse(job.tenants), collection: collectionSchema.parse(job.collection ?? {}) };
const state = new SqliteStateStore(job.state);
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
