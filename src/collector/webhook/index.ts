/** Opt-in webhook mode: the HTTPS receiver of Management Activity API notifications. */
export { webhookReceiverSchema, type WebhookReceiverConfig } from './config.ts';
export { startWebhookReceiver, type WebhookReceiver, type WebhookReceiverOptions } from './receiver.ts';
export { webhookMetrics } from './metrics.ts';
