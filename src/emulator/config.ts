import { z } from 'zod';
import { duration } from '../config/duration.ts';

/** Options of the built-in emulator when `npm start` runs with no tenant configured. */
export const emulatorSchema = z
  .object({
    /** auto: start the emulator only when no tenant is configured. */
    mode: z.enum(['auto', 'always', 'never']).default('auto'),
    port: z.number().int().min(0).max(65535).default(0),
    /** Generated events per minute per tenant. */
    events_per_minute: z.number().int().min(0).default(120),
    tenants: z.number().int().min(1).max(50).default(2),
    /** History published at start, so the first poll already finds events. */
    backfill: duration.prefault('1h'),
  })
  .strict()
  .prefault({});
export type EmulatorConfig = z.infer<typeof emulatorSchema>;
