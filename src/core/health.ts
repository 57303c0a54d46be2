export type StreamStatus = 'starting' | 'ok' | 'degraded' | 'error' | 'disabled';

/** Collection health of one tenant × content type (or one Event Hub), for the UI and /healthz. */
export interface StreamHealth {
  tenantId: string;
  tenantName: string;
  contentType: string;
  status: StreamStatus;
  lastPollAt?: number;
  lastSuccessAt?: number;
  /** contentCreated of the newest blob fetched (epoch ms). */
  newestContentAt?: number;
  eventsTotal: number;
  pendingBlobs: number;
  quarantinedBlobs: number;
  expiredBlobs: number;
  lastError?: { code: string; message: string; at: number };
}

export interface HealthSource {
  streamHealth(): Promise<StreamHealth[]>;
}
