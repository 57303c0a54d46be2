import type { AuditRecord } from './audit-record.ts';

/** An ECS document as produced by src/normalize. */
export type EcsDocument = Record<string, unknown>;

/** A record after normalization: what the embedded store keeps and what sinks are built from. */
export interface ProcessedEvent {
  /** `${tenantId}:${record Id}`. */
  id: string;
  tenantId: string;
  tenantName: string;
  contentType: string;
  /** Event time, epoch ms. */
  time: number;
  raw: AuditRecord;
  /** `raw` as JSON text as received (one line), when the source kept it. */
  rawText?: string;
  ecs: EcsDocument;
  /**
   * The ECS document as the sinks receive it in format `ecs` (with `message`, `labels`, `observer`, `event.id`) as
   * JSON, when the pipeline made it: what the embedded store keeps, so the text is made once for sinks and store.
   */
  ecsText?: string;
  /** One-line human description. */
  description: string;
}
