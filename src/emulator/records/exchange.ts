import type { AuditRecord } from '../../core/audit-record.ts';
import { ipFromCountry, quirkyClientIp } from './network.ts';
import type { SyntheticUser } from './tenant-context.ts';
import {
  adminUser,
  baseRecord,
  nameValue,
  originatingServer,
  pickOtherUser,
  pickUser,
  type RecordContext,
  type RecordTemplate,
} from './template.ts';

/** An ExchangeAdmin (1) cmdlet record; `parameters` become the `Parameters` Name/Value list. */
export function exchangeCmdlet(
  ctx: RecordContext,
  actor: SyntheticUser,
  cmdlet: string,
  objectId: string,
  parameters: Record<string, string>,
  ip?: string,
): AuditRecord {
  const record = baseRecord(ctx, {
    RecordType: 1,
    Operation: cmdlet,
    Workload: 'Exchange',
    ResultStatus: 'True',
    UserKey: actor.puid,
    UserType: actor.isAdmin ? 2 : 0,
    UserId: actor.upn,
    ClientIP: ip ?? quirkyClientIp(ctx.rng, actor.country),
    ObjectId: objectId,
  });
  Object.assign(record, {
    AppId: '',
    ClientAppId: '',
    ExternalAccess: false,
    OrganizationName: ctx.tenant.domain,
    OriginatingServer: originatingServer(ctx),
    Parameters: nameValue(parameters),
    SessionId: ctx.rng.guid(),
  });
  return record;
}

export function mailboxPath(ctx: RecordContext, user: SyntheticUser): string {
  return `EURPR01A002.prod.outlook.com/Microsoft Exchange Hosted Organizations/${ctx.tenant.domain}/${user.upn.split('@')[0]}`;
}

/** New-InboxRule forwarding mail; used by the demo scenario with an external address. */
export function newInboxRule(
  ctx: RecordContext,
  user: SyntheticUser,
  forwardTo: string,
  ruleName: string,
  ip?: string,
): AuditRecord {
  return exchangeCmdlet(
    ctx,
    user,
    'New-InboxRule',
    `${mailboxPath(ctx, user)}\\${ruleName}`,
    {
      AlwaysDeleteOutputFiles: 'True',
      Force: 'True',
      Name: ruleName,
      ForwardTo: forwardTo,
      MarkAsRead: 'True',
      StopProcessingRules: 'True',
    },
    ip,
  );
}

function mailboxFields(ctx: RecordContext, user: SyntheticUser, ip: string): Record<string, unknown> {
  return {
    AppId: '00000002-0000-0ff1-ce00-000000000000',
    ClientAppId: '',
    ClientIPAddress: ip,
    ClientInfoString: ctx.rng.pick([
      'Client=OWA;Action=ViaProxy',
      'Client=MSExchangeRPC',
      'Client=REST;Client=RESTSystem;;',
      'Client=OutlookService;Outlook-iOS/2.0;',
    ]),
    ExternalAccess: false,
    InternalLogonType: 0,
    LogonType: 0,
    LogonUserSid: user.sid,
    MailboxGuid: user.mailboxGuid,
    MailboxOwnerSid: user.sid,
    MailboxOwnerUPN: user.upn,
    OrganizationName: ctx.tenant.domain,
    OriginatingServer: originatingServer(ctx),
    SessionId: ctx.rng.guid(),
  };
}

function folderId(ctx: RecordContext): string {
  return `LgAAAA${ctx.rng.hex(40)}AQ`;
}

function itemRecord(ctx: RecordContext, recordType: 2 | 3, operation: string, user: SyntheticUser, ip: string): AuditRecord {
  const record = baseRecord(ctx, {
    RecordType: recordType,
    Operation: operation,
    Workload: 'Exchange',
    ResultStatus: 'Succeeded',
    UserKey: user.puid,
    UserId: user.upn,
    ClientIP: ip,
    ObjectId: ctx.rng.chance(0.5) ? user.upn : undefined,
  });
  if (record.ObjectId === undefined) delete record.ObjectId;
  return Object.assign(record, mailboxFields(ctx, user, ip));
}

const SUBJECTS = [
  'Q3 forecast',
  'Invoice #4471',
  'Re: project kickoff',
  'Team lunch',
  'Contract draft v2',
  'Password expiry notice',
];

export function itemGroupDelete(
  ctx: RecordContext,
  user: SyntheticUser,
  operation: 'SoftDelete' | 'HardDelete' | 'MoveToDeletedItems',
  count: number,
  ip: string,
): AuditRecord {
  const record = itemRecord(ctx, 3, operation, user, ip);
  const items = Array.from({ length: count }, () => ({
    Id: `RgAAAA${ctx.rng.hex(60)}AAAJ`,
    InternetMessageId: `<${ctx.rng.hex(12)}@${ctx.rng.pick(['PAXPR02MB7630', 'DB9PR04MB8462'])}.eurprd02.prod.outlook.com>`,
    ParentFolder: { Id: folderId(ctx), Path: '\\Inbox' },
    Subject: ctx.rng.pick(SUBJECTS),
  }));
  Object.assign(record, {
    AffectedItems: items,
    CrossMailboxOperation: false,
    Folder: { Id: folderId(ctx), Path: '\\Inbox' },
    ...(operation === 'MoveToDeletedItems' ? { DestFolder: { Id: folderId(ctx), Path: '\\Deleted Items' } } : {}),
  });
  return record;
}

function userIp(ctx: RecordContext, user: SyntheticUser): string {
  return ipFromCountry(ctx.rng, user.country);
}

export const EXCHANGE_TEMPLATES: RecordTemplate[] = [
  {
    kind: 'exchange.mail-items-accessed',
    contentType: 'Audit.Exchange',
    weight: 20,
    build: (ctx) => {
      const user = pickUser(ctx);
      const ip = userIp(ctx, user);
      const record = baseRecord(ctx, {
        RecordType: 50,
        Operation: 'MailItemsAccessed',
        Workload: 'Exchange',
        ResultStatus: 'Succeeded',
        UserKey: user.puid,
        UserId: user.upn,
        ClientIP: ip,
      });
      const n = ctx.rng.int(1, 4);
      Object.assign(record, mailboxFields(ctx, user, ip), {
        OperationProperties: nameValue({ MailAccessType: ctx.rng.pick(['Bind', 'Bind', 'Sync']), IsThrottled: 'False' }),
        OperationCount: n,
        Folders: [
          {
            Id: folderId(ctx),
            Path: '\\Inbox',
            FolderItems: Array.from({ length: n }, () => ({
              InternetMessageId: `<${ctx.rng.hex(16)}@${ctx.rng.pick(['AM6PR10MB2535', 'BN8PR12MB3587'])}.prod.outlook.com>`,
              SizeInBytes: ctx.rng.int(2000, 900000),
            })),
          },
        ],
      });
      return record;
    },
  },
  {
    kind: 'exchange.item.send',
    contentType: 'Audit.Exchange',
    weight: 6,
    build: (ctx) => {
      const user = pickUser(ctx);
      const record = itemRecord(ctx, 2, 'Send', user, userIp(ctx, user));
      Object.assign(record, {
        Item: {
          Id: `RgAAAA${ctx.rng.hex(60)}AAAJ`,
          InternetMessageId: `<${ctx.rng.hex(12)}@DB9PR04MB8462.eurprd04.prod.outlook.com>`,
          ParentFolder: { Id: folderId(ctx), Path: '\\Sent Items' },
          SizeInBytes: ctx.rng.int(3000, 200000),
          Subject: ctx.rng.pick(SUBJECTS),
        },
      });
      return record;
    },
  },
  {
    kind: 'exchange.item-group.delete',
    contentType: 'Audit.Exchange',
    weight: 5,
    build: (ctx) => {
      const user = pickUser(ctx);
      return itemGroupDelete(
        ctx,
        user,
        ctx.rng.pick(['SoftDelete', 'HardDelete', 'MoveToDeletedItems'] as const),
        ctx.rng.int(1, 3),
        userIp(ctx, user),
      );
    },
  },
  {
    kind: 'exchange.admin.set-mailbox',
    contentType: 'Audit.Exchange',
    weight: 2,
    build: (ctx) => {
      const admin = adminUser(ctx);
      const target = pickOtherUser(ctx, admin);
      return exchangeCmdlet(ctx, admin, 'Set-Mailbox', target.upn.split('@')[0] ?? target.upn, {
        Identity: target.upn,
        ...(ctx.rng.chance(0.5) ? { LitigationHoldEnabled: 'True' } : { AuditEnabled: 'True' }),
      });
    },
  },
  {
    kind: 'exchange.admin.new-inbox-rule',
    contentType: 'Audit.Exchange',
    weight: 0.1,
    build: (ctx) => {
      const user = pickUser(ctx);
      return exchangeCmdlet(ctx, user, 'New-InboxRule', `${mailboxPath(ctx, user)}\\Newsletters`, {
        Name: 'Newsletters',
        From: 'news@vendor.example',
        MoveToFolder: 'Newsletters',
        StopProcessingRules: 'False',
      });
    },
  },
  {
    kind: 'exchange.admin.system',
    contentType: 'Audit.Exchange',
    weight: 2,
    build: (ctx) => {
      const record = baseRecord(ctx, {
        RecordType: 1,
        Operation: 'Set-ConditionalAccessPolicy',
        Workload: 'Exchange',
        ResultStatus: 'True',
        UserKey: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
        UserType: 3,
        UserId: 'NT AUTHORITY\\SYSTEM (Microsoft.Exchange.ServiceHost)',
        ObjectId: ctx.rng.guid(),
      });
      return Object.assign(record, {
        AppId: '',
        ClientAppId: '',
        ExternalAccess: true,
        OrganizationName: ctx.tenant.domain,
        OriginatingServer: originatingServer(ctx),
        Parameters: nameValue({ Identity: record.ObjectId as string, Enabled: 'True' }),
      });
    },
  },
];
