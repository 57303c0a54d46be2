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
  /** One-line human description. */
  description: string;
}
