import { z } from 'zod';
import { duration } from '../config/duration.ts';

export const storeSchema = z
  .object({
    enabled: z.boolean().default(true),
    path: z.string().min(1).default('./data/events.db'),
    retention: duration.prefault('30d'),
  })
  .strict()
  .prefault({});
export type StoreConfig = z.infer<typeof storeSchema>;
