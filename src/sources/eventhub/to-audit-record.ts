import type { AuditRecord } from '../../core/audit-record.ts';
import type { UnwrapItem } from './unwrap.ts';

/**
 * What kind of record came off the hub, so the normalizer can route it (see README.md):
 * - `entra-signin`: Entra ID SignInLogs and its siblings (non-interactive, service principal, managed identity, ADFS);
 * - `entra-audit`: Entra ID AuditLogs;
 * - `entra`: any other Entra ID diagnostic category (ProvisioningLogs, RiskyUsers, MicrosoftGraphActivityLogs…);
 * - `defender`: Defender XDR streaming API (`AdvancedHunting-*` categories);
 * - `azure-monitor`: another Azure Monitor resource log (has `category`);
 * - `audit-record`: already a Management Activity API record (forwarded by some other tool);
 * - `other`: a JSON object of unknown shape; `invalid`: not JSON / not an object (see `error`).
 */
export type EventHubRecordKind =
  | 'entra-signin'
  | 'entra-audit'
  | 'entra'
  | 'defender'
  | 'azure-monitor'
  | 'audit-record'
  | 'other'
  | 'invalid';

/** Where a record sits on the hub. */
export interface HubPosition {
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTime?: Date;
}

/** Added to every record under the `EventHub` key; the record's own keys are never changed. */
export interface EventHubMetadata {
  kind: EventHubRecordKind;
  category?: string;
  eventHubName: string;
  consumerGroup: string;
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTime?: string;
  /** Index of the record inside its hub message. */
  index: number;
  /** The body was invalid JSON and became valid once raw line breaks were removed. */
  sanitized?: true;
  error?: { code: string; message: string };
}

export const METADATA_KEY = 'EventHub';

const ENTRA_SIGNIN = new Set([
  'SignInLogs',
  'NonInteractiveUserSignInLogs',
  'ServicePrincipalSignInLogs',
  'ManagedIdentitySignInLogs',
  'ADFSSignInLogs',
]);
const ENTRA_OTHER = new Set([
  'ProvisioningLogs',
  'RiskyUsers',
  'UserRiskEvents',
  'RiskyServicePrincipals',
  'ServicePrincipalRiskEvents',
  'MicrosoftGraphActivityLogs',
  'NetworkAccessTrafficLogs',
  'EnrichedOffice365AuditLogs',
  'B2CRequestLogs',
  'RemoteNetworkHealthLogs',
]);

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function classify(record: Record<string, unknown>): { kind: EventHubRecordKind; category?: string } {
  const category = text(record.category);
  if (category) {
    if (ENTRA_SIGNIN.has(category)) return { kind: 'entra-signin', category };
    if (category === 'AuditLogs') return { kind: 'entra-audit', category };
    if (category.startsWith('AdvancedHunting-')) return { kind: 'defender', category };
    const resourceId = text(record.resourceId)?.toLowerCase() ?? '';
    if (ENTRA_OTHER.has(category) || resourceId.includes('/providers/microsoft.aadiam')) return { kind: 'entra', category };
    return { kind: 'azure-monitor', category };
  }
  if (text(record.Operation) && text(record.CreationTime) && (typeof record.RecordType === 'number' || text(record.Workload))) {
    return { kind: 'audit-record' };
  }
  return { kind: 'other' };
}

/** `hub/partition/sequence/index`: stable across re-deliveries of the same hub message. */
export function positionId(position: HubPosition, index: number): string {
  return `${position.eventHubName}/${position.partitionId}/${position.sequenceNumber}/${index}`;
}

/** The record's own unique id when it has one (O365 `Id`, Entra `properties.id`), so duplicates sent by Azure dedup too. */
function ownId(record: Record<string, unknown>, kind: EventHubRecordKind, category: string | undefined): string | undefined {
  const id = text(record.Id);
  if (id || (kind !== 'entra-signin' && kind !== 'entra-audit' && kind !== 'entra')) return id;
  const properties = record.properties;
  const entraId =
    typeof properties === 'object' && properties !== null ? text((properties as Record<string, unknown>).id) : undefined;
  return entraId ? `${category}/${entraId}` : undefined;
}

function metadata(position: HubPosition, index: number, kind: EventHubRecordKind): EventHubMetadata {
  return {
    kind,
    eventHubName: position.eventHubName,
    consumerGroup: position.consumerGroup,
    partitionId: position.partitionId,
    sequenceNumber: position.sequenceNumber,
    offset: position.offset,
    ...(position.enqueuedTime ? { enqueuedTime: position.enqueuedTime.toISOString() } : {}),
    index,
  };
}

/**
 * One unwrapped item as an AuditRecord: the original keys untouched, plus `Id`, `CreationTime` and
 * `OrganizationId` when missing and derivable faithfully (record id / `time` / `tenantId`), plus `EventHub` metadata.
 * An invalid item becomes `{ Id, CreationTime: enqueued time, RawMessage, EventHub: { kind: 'invalid', error } }`.
 */
export function toAuditRecord(item: UnwrapItem, position: HubPosition, index: number): AuditRecord {
  if (!item.ok) {
    const meta: EventHubMetadata = { ...metadata(position, index, 'invalid'), error: { code: item.code, message: item.message } };
    return {
      Id: positionId(position, index),
      ...(position.enqueuedTime ? { CreationTime: position.enqueuedTime.toISOString() } : {}),
      RawMessage: item.raw,
      [METADATA_KEY]: meta,
    };
  }
  const record = item.record;
  const { kind, category } = classify(record);
  const meta: EventHubMetadata = {
    ...metadata(position, index, kind),
    ...(category ? { category } : {}),
    ...(item.sanitized ? { sanitized: true as const } : {}),
  };
  const out: AuditRecord = { ...record, Id: ownId(record, kind, category) ?? positionId(position, index) };
  if (out.CreationTime === undefined && text(record.time)) out.CreationTime = record.time as string;
  if (out.OrganizationId === undefined && text(record.tenantId)) out.OrganizationId = record.tenantId as string;
  out[METADATA_KEY] = meta;
  return out;
}
