import { z } from 'zod';
import { duration } from '../config/duration.ts';
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
    /** A browser session ends this long after sign-in (and at once on sign-out). */
    session_ttl: duration.prefault('12h').refine((ms) => ms >= 60_000, 'must be at least 1m'),
    /** Behind a reverse proxy: take the client address from X-Forwarded-For (for sign-in throttling and the audit log). */
    trust_proxy: z.boolean().default(false),
    /** Require the token on /metrics too (Prometheus then sends it as a bearer token). */
    metrics_auth: z.boolean().default(false),
  })
  .strict()
  .prefault({});
export type WebConfig = z.infer<typeof webSchema>;
