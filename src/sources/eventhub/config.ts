import { z } from 'zod';
import { duration } from '../../config/duration.ts';
import { secret } from '../../config/secret-ref.ts';

/**
 * Where partition checkpoints (and ownership) live.
 * - `sqlite` (default): a file of its own, `<data_dir>/eventhub-checkpoints.db` unless `path` is set.
 *   The checkpoint is written in the same transaction as the delivered ids and sink positions.
 * - `blob`: an Azure Storage container (`@azure/eventhubs-checkpointstore-blob`), shareable by
 *   several collectors that split the partitions between them.
 * - `postgres`: tables `eh_ownership` / `eh_checkpoints` in a PostgreSQL database (e.g. the scale-out state
 *   database), shareable like `blob` without Azure Storage.
 */
const sqliteCheckpoints = z.object({ type: z.literal('sqlite'), path: z.string().min(1).optional() }).strict();
const blobCheckpoints = z
  .object({
    type: z.literal('blob'),
    connection_string: secret,
    container: z
      .string()
      .regex(
        /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/,
        'must be a valid Azure container name (3-63 lowercase letters, digits, -)',
      ),
  })
  .strict();

const postgresCheckpoints = z
  .object({
    type: z.literal('postgres'),
    /** postgres://user:password@host:port/db — a secret, as it usually carries the password. */
    url: secret.refine((url) => /^postgres(ql)?:\/\//i.test(url.reveal()), 'must be a postgres:// URL'),
  })
  .strict();

export const eventHubCheckpointSchema = z.discriminatedUnion('type', [sqliteCheckpoints, blobCheckpoints, postgresCheckpoints]);
export type EventHubCheckpointConfig = z.infer<typeof eventHubCheckpointSchema>;

export const eventHubSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
    connection_string: secret,
    /** Needed when the connection string has no EntityPath. */
    event_hub_name: z.string().min(1).optional(),
    consumer_group: z.string().min(1).default('$Default'),
    /**
     * Tenant label attached to every event of this hub. When unset, each record's own `tenantId`
     * (Entra ID / Defender records carry it) is used, and the hub `name` for records without one.
     */
    tenant: z.string().min(1).optional(),
    /** Where to start on a partition that has no checkpoint yet. */
    start_position: z.enum(['earliest', 'latest']).default('earliest'),
    checkpoint_store: eventHubCheckpointSchema.prefault({ type: 'sqlite' }),
    /** Hub messages per delivery batch (each message usually carries many records). */
    max_batch_size: z.number().int().min(1).max(5000).default(100),
    /** How long to wait for a batch to fill before delivering what arrived. */
    max_wait_time: duration.prefault('5s'),
    /** `balanced` shares partitions with other collectors on the same checkpoint store; `greedy` claims all free ones at once. */
    load_balancing: z.enum(['balanced', 'greedy']).default('balanced'),
    /** How often partition ownership is renewed and rebalanced. */
    ownership_interval: duration.prefault('10s'),
    /** Ownership not renewed for this long is considered abandoned and can be claimed by another collector. */
    ownership_expiration: duration.prefault('60s'),
    /** How long delivered ids are remembered to drop re-deliveries. */
    dedup_window: duration.prefault('7d'),
  })
  .strict()
  .refine((c) => c.ownership_expiration > c.ownership_interval, {
    message: 'must be longer than ownership_interval',
    path: ['ownership_expiration'],
  });
export type EventHubConfig = z.infer<typeof eventHubSchema>;
