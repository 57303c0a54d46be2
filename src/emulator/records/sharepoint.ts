import type { AuditRecord } from '../../core/audit-record.ts';
import { quirkyClientIp, USER_AGENTS } from './network.ts';
import type { SyntheticUser } from './tenant-context.ts';
import { baseRecord, pickOtherUser, pickUser, type RecordContext, type RecordTemplate } from './template.ts';

const SITES = ['Finance', 'HR', 'Sales', 'Engineering', 'Legal'] as const;
const FILES = [
  'Salary.xlsx',
  'Budget 2026.xlsx',
  'Roadmap.pptx',
  'Contract.docx',
  'Customers.csv',
  'Board minutes.pdf',
  'notes.txt',
  'design.vsdx',
] as const;

export type FileOperation = 'FileAccessed' | 'FileDownloaded' | 'FileUploaded' | 'FileDeleted' | 'FileModified' | 'FilePreviewed';

export interface FileLocation {
  siteUrl: string;
  relativeUrl: string;
  fileName: string;
  workload: 'SharePoint' | 'OneDrive';
}

export function randomFile(ctx: RecordContext, owner: SyntheticUser, fileName?: string): FileLocation {
  const name = fileName ?? ctx.rng.pick(FILES);
  if (ctx.rng.chance(0.3)) {
    const personal = owner.upn.replace(/[@.]/g, '_');
    return {
      siteUrl: `https://${ctx.tenant.shortName}-my.sharepoint.com/personal/${personal}/`,
      relativeUrl: 'Documents',
      fileName: name,
      workload: 'OneDrive',
    };
  }
  return {
    siteUrl: `https://${ctx.tenant.shortName}.sharepoint.com/sites/${ctx.rng.pick(SITES)}/`,
    relativeUrl: 'Shared Documents',
    fileName: name,
    workload: 'SharePoint',
  };
}

function spBase(
  ctx: RecordContext,
  recordType: number,
  operation: string,
  user: SyntheticUser,
  file: FileLocation,
  ip?: string,
): AuditRecord {
  const record = baseRecord(ctx, {
    RecordType: recordType,
    Operation: operation,
    Workload: file.workload,
    UserKey: `i:0h.f|membership|${user.puid.toLowerCase()}@live.com`,
    UserId: user.upn,
    ClientIP: ip ?? quirkyClientIp(ctx.rng, user.country),
    ObjectId: `${file.siteUrl}${file.relativeUrl}/${file.fileName}`,
  });
  return Object.assign(record, {
    CorrelationId: ctx.rng.guid(),
    EventSource: 'SharePoint',
    ItemType: 'File',
    ListId: ctx.rng.guid(),
    ListItemUniqueId: ctx.rng.guid(),
    Site: ctx.rng.guid(),
    UserAgent: ctx.rng.pick(USER_AGENTS),
    WebId: ctx.rng.guid(),
  });
}

/** A SharePointFileOperation (6) record on SharePoint or OneDrive. */
export function fileOperation(
  ctx: RecordContext,
  operation: FileOperation,
  user: SyntheticUser,
  file: FileLocation,
  ip?: string,
): AuditRecord {
  const record = spBase(ctx, 6, operation, user, file, ip);
  const ext = file.fileName.includes('.') ? (file.fileName.split('.').pop() ?? '') : '';
  return Object.assign(record, {
    SourceFileExtension: ext,
    SiteUrl: file.siteUrl,
    SourceFileName: file.fileName,
    SourceRelativeUrl: file.relativeUrl,
    ...(operation === 'FileUploaded' || operation === 'FileModified' ? { FileSizeBytes: ctx.rng.int(1000, 5_000_000) } : {}),
  });
}

function sharing(ctx: RecordContext, operation: string, user: SyntheticUser): AuditRecord {
  const file = randomFile(ctx, user);
  const record = spBase(ctx, 14, operation, user, file);
  const guest = ctx.rng.chance(0.4);
  const target = guest
    ? `partner${ctx.rng.int(1, 50)}@${ctx.rng.pick(['gmail.com', 'supplier.example', 'outlook.com'])}`
    : pickOtherUser(ctx, user).upn;
  return Object.assign(record, {
    SiteUrl: file.siteUrl,
    SourceFileExtension: file.fileName.split('.').pop() ?? '',
    SourceFileName: file.fileName,
    SourceRelativeUrl: file.relativeUrl,
    ...(operation === 'AnonymousLinkCreated'
      ? {}
      : { TargetUserOrGroupName: target, TargetUserOrGroupType: guest ? 'Guest' : 'Member' }),
    EventData:
      operation === 'SharingSet'
        ? '<PermissionsGranted>Contribute</PermissionsGranted>'
        : '<Type>View</Type><MembersCanShare>Enabled</MembersCanShare>',
    UniqueSharingId: ctx.rng.guid(),
  });
}

export const SHAREPOINT_TEMPLATES: RecordTemplate[] = [
  ...(['FileAccessed', 'FileDownloaded', 'FileUploaded', 'FileModified', 'FileDeleted', 'FilePreviewed'] as const).map(
    (op, i): RecordTemplate => ({
      kind: `sharepoint.file.${op.slice(4).toLowerCase()}`,
      contentType: 'Audit.SharePoint',
      weight: [25, 8, 6, 8, 3, 5][i] ?? 1,
      build: (ctx) => {
        const user = pickUser(ctx);
        return fileOperation(ctx, op, user, randomFile(ctx, user));
      },
    }),
  ),
  ...(['SharingSet', 'AnonymousLinkCreated', 'AddedToSecureLink'] as const).map(
    (op): RecordTemplate => ({
      kind: `sharepoint.sharing.${op.toLowerCase()}`,
      contentType: 'Audit.SharePoint',
      weight: op === 'AnonymousLinkCreated' ? 0.1 : 2,
      build: (ctx) => sharing(ctx, op, pickUser(ctx)),
    }),
  ),
];
