import { z } from 'zod';
import { secret } from '../../config/secret-ref.ts';

export const eventHubSchema = z
  .object({
    name: z.string().min(1),
    connection_string: secret,
    event_hub_name: z.string().min(1).optional(),
    consumer_group: z.string().default('$Default'),
    /** Tenant label attached to events from this hub. */
    tenant: z.string().min(1).default('eventhub'),
  })
  .strict();
export type EventHubConfig = z.infer<typeof eventHubSchema>;
