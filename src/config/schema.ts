import { hostname } from 'node:os';
import { z } from 'zod';
import { duration } from './duration.ts';
import { collectionSchema, tenantSchema } from '../collector/config.ts';
import { webhookReceiverSchema } from '../collector/webhook/config.ts';
import { detectionSchema } from '../detect/config.ts';
import { enrichmentSchema } from '../enrich/config.ts';
import { filtersSchema } from '../filter/config.ts';
import { emulatorSchema } from '../emulator/config.ts';
import { sinkSchema } from '../sinks/config.ts';
import { eventHubSchema } from '../sources/eventhub/config.ts';
import { storeSchema } from '../store/config.ts';
import { webSchema } from '../web/config.ts';

export const OUTPUT_FORMATS = ['raw', 'ecs', 'both'] as const;

export const configSchema = z
  .object({
    /** Where collection state lives: a SQLite file path (default) or a postgres:// URL for scale-out. */
    state: z.string().min(1).default('./data/state.db'),
    /** With `state: postgres://…`: how the processes sharing the tenants lease them. */
    scale_out: z
      .object({
        /** Identifies this machine; its sinks' committed positions are kept under it. Default: the host name. */
        node_id: z.string().min(1).default(hostname()),
        /** A worker that has not renewed its leases for this long is considered dead; its streams move. */
        lease_ttl: duration.prefault('30s'),
        /** How often leases are renewed and rebalanced (at most a third of lease_ttl). */
        heartbeat: duration.prefault('10s'),
      })
      .strict()
      .refine((s) => s.heartbeat * 3 <= s.lease_ttl, { message: 'must be at most a third of lease_ttl', path: ['heartbeat'] })
      .prefault({}),
    /** Folder for spools and other working files. */
    data_dir: z.string().min(1).default('./data'),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
    tenants: z.array(tenantSchema).default([]),
    collection: collectionSchema,
    /** HTTPS endpoint receiving Microsoft's push notifications for tenants with a `webhook` (optional; polling stays on). */
    webhook_receiver: webhookReceiverSchema.optional(),
    output: z
      .object({ format: z.enum(OUTPUT_FORMATS).default('ecs') })
      .strict()
      .prefault({}),
    sinks: z.array(sinkSchema).prefault([{ type: 'file', path: './data/events.ndjson' }]),
    store: storeSchema,
    filters: filtersSchema,
    enrichment: enrichmentSchema,
    detection: detectionSchema,
    web: webSchema,
    emulator: emulatorSchema,
    eventhubs: z.array(eventHubSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.tenants.forEach((t, i) => {
      if (seen.has(t.name))
        ctx.addIssue({ code: 'custom', path: ['tenants', i, 'name'], message: `duplicate tenant name "${t.name}"` });
      seen.add(t.name);
    });
  });

export type Config = z.infer<typeof configSchema>;
