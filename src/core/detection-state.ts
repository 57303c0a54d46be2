/**
 * Detection state (open correlation groups, alert groups, per-tenant watermarks) as rows of JSON, so the state
 * store can commit it in the same transaction as the batch checkpoint and a restart resumes it.
 */
export interface DetectionStateRow {
  tenantId: string;
  /** Unique across tenants (it contains the tenant id). */
  key: string;
  /** JSON. */
  value: string;
}

export interface DetectionStateChanges {
  upserts: DetectionStateRow[];
  deletes: { tenantId: string; key: string }[];
}

/** What a state store needs from the detector to commit its state with each checkpoint. */
export interface DetectionStateSource {
  /** Changes since the last commit (unchanged until `stateCommitted` or `rollback`). */
  pendingState(): DetectionStateChanges;
  /** The changes returned by `pendingState` are committed. */
  stateCommitted(): void;
}
