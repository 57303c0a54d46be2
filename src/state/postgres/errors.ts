import { IntakeError } from '../../core/errors.ts';
import type { StreamKey } from '../state-store.ts';

/**
 * This worker no longer holds the lease of a stream (it expired and another worker took it, or it was never
 * acquired): the write was rejected and nothing was changed. The caller must stop working on the stream;
 * the new owner re-reads the state and resumes from the last committed point.
 */
export class LeaseLostError extends IntakeError {
  readonly key: StreamKey;
  constructor(key: StreamKey, reason: string) {
    super('LEASE_LOST', `lease of ${key.tenantId}/${key.contentType} lost: ${reason}`);
    this.key = key;
  }
}
