/**
 * Test and bench child process: one scale-out worker writing raw records to its own NDJSON file.
 * Usage: node --import tsx src/state/postgres/testing/run-worker.ts <job.json>
 * Runs until SIGTERM (clean stop: leases released) or SIGKILL (leases expire). Prints "ready" once started.
 */
import { readFileSync } from 'node:fs';
import { SinkDelivery } from '../../../collector/testing/sink-delivery.ts';
import { parseConfig } from '../../../config/load.ts';
import { silentLogger } from '../../../observability/logger.ts';
import { FileSink } from '../../../sinks/file.ts';
import { PostgresStateStore } from '../postgres-state-store.ts';
import { ScaleOutWorker } from '../scale-out-worker.ts';

export interface WorkerJob {
  url: string;
  workerId: string;
  nodeId: string;
  output: string;
  tenants: unknown[];
  collection?: Record<string, unknown>;
  leaseTtlMs: number;
  heartbeatMs: number;
  ca?: string;
}

const job = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as WorkerJob;
const config = parseConfig({ tenants: job.tenants, collection: job.collection ?? {} });
const store = await PostgresStateStore.open(job.url, { workerId: job.workerId, nodeId: job.nodeId, leaseTtlMs: job.leaseTtlMs });
const delivery = new SinkDelivery([new FileSink({ name: 'file', path: job.output, logger: silentLogger })]);
await store.recordBaselinePositions(await delivery.open(await store.sinkPositions()));
const worker = new ScaleOutWorker({
  config,
  store,
  delivery,
  logger: silentLogger,
  heartbeatMs: job.heartbeatMs,
  ...(job.ca ? { ca: job.ca } : {}),
});
await worker.start();
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void (async () => {
    await worker.stop();
    await delivery.close();
    await store.close();
    process.exit(0);
  })();
});
