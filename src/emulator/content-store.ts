import type { AuditRecord } from '../core/audit-record.ts';
import type { ContentType } from '../core/content-types.ts';
import { contentIdStamp } from './time-format.ts';

export type SubscriptionStatus = 'enabled' | 'disabled';

export interface Subscription {
  contentType: ContentType;
  status: SubscriptionStatus;
}

/** Body of a stored blob: serialized records, or a recipe for a streamed huge blob. */
export type BlobBody =
  | { kind: 'records'; json: string }
  | { kind: 'huge'; seed: number; recordCount: number }
  /** Dropped to bound memory (oldest first); served as expired content. */
  | { kind: 'evicted' };

export interface StoredBlob {
  contentId: string;
  tenantId: string;
  contentType: ContentType;
  contentCreated: number;
  contentExpiration: number;
  body: BlobBody;
  /** Decided at publish time: the listed contentUri uses `localhost` instead of 127.0.0.1. */
  foreignHost: boolean;
  /** False when published while the subscription was stopped: such content is never listable. */
  listable: boolean;
}

const REGIONS = ['na0017', 'emea0010', 'jpn0016', 'na0032', 'emea0024'] as const;

/** contentId like `{T1}${T2}$audit_sharepoint$Audit_SharePoint${region}`. */
export function makeContentId(contentType: ContentType, created: number, sequence: number, region: string): string {
  const lower = contentType.toLowerCase().replace('.', '_');
  const pascal = contentType.replace('.', '_');
  const t1 = contentIdStamp(created - 600_000 - (sequence % 997) * 1000, sequence * 7919);
  const t2 = contentIdStamp(created, sequence);
  return `${t1}$${t2}$${lower}$${pascal}$${region}`;
}

const CONTENT_ID = /^\d{23}\$\d{23}\$[a-z_.]+\$[A-Za-z_.]+(\$[a-z]+\d+)*$/;

export function isWellFormedContentId(id: string): boolean {
  return CONTENT_ID.test(id);
}

/** Per-tenant blobs, subscriptions and ground truth. */
export class TenantContent {
  readonly subscriptions = new Map<ContentType, Subscription>();
  /** Blobs in the order they became available. */
  readonly blobs: StoredBlob[] = [];
  readonly blobById = new Map<string, StoredBlob>();
  /** Distinct record Ids ever published in listable blobs. */
  readonly groundTruth = new Set<string>();
  /** A few recent records per content type, reused by the duplicate-across-blobs chaos switch. */
  readonly #recent = new Map<ContentType, AuditRecord[]>();
  readonly region: string;

  constructor(
    readonly tenantId: string,
    regionIndex: number,
  ) {
    this.region = REGIONS[regionIndex % REGIONS.length] ?? 'na0017';
  }

  /** Stopped subscriptions hide what is produced meanwhile; never-started types keep content (as if subscribed earlier). */
  acceptsContent(contentType: ContentType): boolean {
    return this.subscriptions.get(contentType)?.status !== 'disabled';
  }

  add(blob: StoredBlob, recordIds: Iterable<string>): void {
    this.blobs.push(blob);
    this.blobById.set(blob.contentId, blob);
    if (blob.listable) for (const id of recordIds) this.groundTruth.add(id);
  }

  remember(contentType: ContentType, record: AuditRecord): void {
    const list = this.#recent.get(contentType) ?? [];
    list.push(record);
    if (list.length > 200) list.splice(0, list.length - 200);
    this.#recent.set(contentType, list);
  }

  recent(contentType: ContentType): readonly AuditRecord[] {
    return this.#recent.get(contentType) ?? [];
  }
}
