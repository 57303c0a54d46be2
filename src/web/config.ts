import { z } from 'zod';
import { secret } from '../config/secret-ref.ts';

export const webSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8765),
    /** Token required by the UI and API; if unset a random one is generated and printed at first start. */
    auth_token: secret.optional(),
  })
  .strict()
  .prefault({});
export type WebConfig = z.infer<typeof webSchema>;
