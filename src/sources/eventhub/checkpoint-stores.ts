import { join } from 'node:path';
import type { CheckpointStore } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import type { EventHubCheckpointConfig } from './config.ts';
import { CheckpointStoreError } from './errors.ts';
import { PostgresCheckpointStore } from './postgres-checkpoint-store.ts';
import { SqliteCheckpointStore, type EventHubLedger } from './sqlite-checkpoint-store.ts';

export const DEFAULT_CHECKPOINT_FILE = 'eventhub-checkpoints.db';

/** The checkpoint store handed to the SDK and the local ledger (dedup ids, sink positions). */
export interface CheckpointStores {
  checkpoints: CheckpointStore;
  ledger: EventHubLedger & { close(): void };
  /** True when the checkpoint is committed in the ledger's transaction (SQLite); false when it lives in Azure Blob or PostgreSQL. */
  checkpointsInLedger: boolean;
  close(): Promise<void>;
}

/**
 * Opens the stores for one hub. The ledger is always the SQLite file (`path`, or `<dataDir>/eventhub-checkpoints.db`);
 * with `type: blob` the checkpoints and partition ownership live in the Azure Storage container, created if missing,
 * and with `type: postgres` in PostgreSQL tables, created if missing.
 */
export async function openCheckpointStores(config: EventHubCheckpointConfig, dataDir: string): Promise<CheckpointStores> {
  const ledger = new SqliteCheckpointStore(
    config.type === 'sqlite' && config.path ? config.path : join(dataDir, DEFAULT_CHECKPOINT_FILE),
  );
  if (config.type === 'sqlite')
    return { checkpoints: ledger, ledger, checkpointsInLedger: true, close: async () => ledger.close() };
  if (config.type === 'postgres') {
    try {
      const checkpoints = await PostgresCheckpointStore.open(config.url.reveal());
      return {
        checkpoints,
        ledger,
        checkpointsInLedger: false,
        close: async () => {
          ledger.close();
          await checkpoints.close();
        },
      };
    } catch (err) {
      ledger.close();
      throw err;
    }
  }
  try {
    const container = BlobServiceClient.fromConnectionString(config.connection_string.reveal()).getContainerClient(
      config.container,
    );
    await container.createIfNotExists();
    return {
      checkpoints: new BlobCheckpointStore(container),
      ledger,
      checkpointsInLedger: false,
      close: async () => ledger.close(),
    };
  } catch (err) {
    ledger.close();
    const message = (err as Error).message.split(config.connection_string.reveal()).join('[redacted]');
    throw new CheckpointStoreError(`cannot open blob container ${config.container}: ${message}`, { cause: err });
  }
}
