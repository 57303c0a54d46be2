import { IntakeError } from '../../core/errors.ts';

/** The Event Hub source failed (connection, checkpoint store, delivery retries exhausted); `hub` names the configured hub. */
export class EventHubError extends IntakeError {
  readonly hub: string;
  constructor(code: string, hub: string, message: string, options?: { cause?: unknown }) {
    super(code, `event hub ${hub}: ${message}`, options);
    this.hub = hub;
  }
}

/** The checkpoint store could not be read or written. */
export class CheckpointStoreError extends IntakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EVENTHUB_CHECKPOINT_STORE', message, options);
  }
}
