import type { AuditRecord } from '../../core/audit-record.ts';
import type { ContentType } from '../../core/content-types.ts';
import type { Rng } from '../rng.ts';
import { creationTime } from '../time-format.ts';
import type { SyntheticUser, TenantContext } from './tenant-context.ts';

/** Everything a template needs to build one record. */
export interface RecordContext {
  rng: Rng;
  tenant: TenantContext;
  /** Event time, epoch ms. */
  at: number;
}

/** One kind of record (e.g. `aad.login.failure`) and the content type it is published under. */
export interface RecordTemplate {
  kind: string;
  contentType: ContentType;
  /** Relative frequency in the generated mix. */
  weight: number;
  build(ctx: RecordContext): AuditRecord;
}

export interface BaseFields {
  RecordType: number;
  Operation: string;
  Workload: string;
  UserId: string;
  UserKey: string;
  UserType?: number;
  ResultStatus?: string;
  ClientIP?: string | null;
  ObjectId?: string;
}

/** The common-schema envelope, in the field order real records use. */
export function baseRecord(ctx: RecordContext, f: BaseFields): AuditRecord {
  const record: AuditRecord = {
    CreationTime: creationTime(ctx.at),
    Id: ctx.rng.guid(),
    Operation: f.Operation,
    OrganizationId: ctx.tenant.tenantId,
    RecordType: f.RecordType,
  };
  if (f.ResultStatus !== undefined) record.ResultStatus = f.ResultStatus;
  record.UserKey = f.UserKey;
  record.UserType = f.UserType ?? 0;
  record.Version = 1;
  record.Workload = f.Workload;
  if (f.ClientIP !== undefined) record.ClientIP = f.ClientIP;
  if (f.ObjectId !== undefined) record.ObjectId = f.ObjectId;
  record.UserId = f.UserId;
  return record;
}

export function pickUser(ctx: RecordContext): SyntheticUser {
  return ctx.rng.pick(ctx.tenant.users);
}

export function pickOtherUser(ctx: RecordContext, not: SyntheticUser): SyntheticUser {
  const others = ctx.tenant.users.filter((u) => u.upn !== not.upn);
  return others.length > 0 ? ctx.rng.pick(others) : not;
}

export function adminUser(ctx: RecordContext): SyntheticUser {
  return ctx.tenant.users.find((u) => u.isAdmin) ?? pickUser(ctx);
}

export function nameValue(entries: Record<string, string>): { Name: string; Value: string }[] {
  return Object.entries(entries).map(([Name, Value]) => ({ Name, Value }));
}

/** Exchange originating server string, e.g. `DB9PR04MB8462 (15.20.8005.017)`. */
export function originatingServer(ctx: RecordContext): string {
  const region = ctx.rng.pick(['DB9PR04', 'AM6PR10', 'PAXPR02', 'HE1PR01', 'BN8PR12']);
  return `${region}MB${ctx.rng.int(1000, 9999)} (15.20.${ctx.rng.int(7000, 8999)}.${String(ctx.rng.int(1, 40)).padStart(3, '0')})`;
}
