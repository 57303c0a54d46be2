import { z } from 'zod';
import { secret } from '../config/secret-ref.ts';

export const webSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Loopback by default: expose on another interface only with `tls` (or behind a TLS reverse proxy). */
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8765),
    /** Token required by the UI and API; if unset a random one is generated, kept in `<data_dir>/web-token` and printed at first start. */
    auth_token: secret.optional(),
    /** Serve HTTPS: `cert` is a PEM certificate file path, `key` the private key (usually `file:/path/key.pem`). */
    tls: z
      .object({
        cert: z.string().min(1),
        key: secret,
      })
      .strict()
      .optional(),
  })
  .strict()
  .prefault({});
export type WebConfig = z.infer<typeof webSchema>;
