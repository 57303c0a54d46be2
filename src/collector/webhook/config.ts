import { z } from 'zod';

/**
 * The webhook receiver (top-level `webhook_receiver`): an HTTPS server Microsoft POSTs notifications to. Each tenant
 * with a `webhook` is served on the path of its `webhook.address` (a reverse proxy may sit in front).
 */
export const webhookReceiverSchema = z
  .object({
    /** Address to listen on (`0.0.0.0` to accept from outside, behind a firewall allowing M365ManagementActivityApiWebhook). */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8443),
    /** PEM certificate and key files of the HTTPS server (Microsoft only posts to HTTPS). */
    tls_cert_file: z.string().min(1),
    tls_key_file: z.string().min(1),
    /** Largest notification body accepted. */
    max_body_bytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .strict();

export type WebhookReceiverConfig = z.infer<typeof webhookReceiverSchema>;
