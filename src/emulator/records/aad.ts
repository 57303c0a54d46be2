import type { AuditRecord } from '../../core/audit-record.ts';
import { deviceFromUserAgent, quirkyClientIp, USER_AGENTS } from './network.ts';
import type { SyntheticUser } from './tenant-context.ts';
import {
  adminUser,
  baseRecord,
  nameValue,
  pickOtherUser,
  pickUser,
  type RecordContext,
  type RecordTemplate,
} from './template.ts';

/** Well-known first-party application ids seen in sign-in records. */
const APPS = [
  { id: '00000002-0000-0ff1-ce00-000000000000', name: 'Office 365 Exchange Online' },
  { id: '00000003-0000-0ff1-ce00-000000000000', name: 'Office 365 SharePoint Online' },
  { id: '4345a7b9-9a63-4910-a426-35363201d503', name: 'O365 Suite UX' },
  { id: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', name: 'Microsoft Teams' },
  { id: '89bee1f7-5e6e-4d8a-9f3d-ecd601259da7', name: 'Office365 Shell WCSS-Client' },
] as const;

const LOGON_ERRORS = [
  { number: '50126', error: 'InvalidUserNameOrPassword' },
  { number: '50053', error: 'IdsLocked' },
  { number: '50074', error: 'UserStrongAuthClientAuthNRequiredInterrupt' },
  { number: '500121', error: 'AuthenticationFailedSasError' },
  { number: '50140', error: 'KmsiInterrupt' },
  { number: '50055', error: 'InvalidPasswordExpiredPassword' },
] as const;

export interface StsLogonOptions {
  user: SyntheticUser;
  ip: string;
  userAgent?: string;
  failure?: { number: string; error: string };
  requestType?: string;
  authenticationMethod?: string;
  applicationId?: string;
}

/** An AzureActiveDirectoryStsLogon (15) UserLoggedIn / UserLoginFailed record. */
export function stsLogon(ctx: RecordContext, o: StsLogonOptions): AuditRecord {
  const { rng, tenant } = ctx;
  const app = o.applicationId ?? rng.pick(APPS).id;
  const ua = o.userAgent ?? rng.pick(USER_AGENTS);
  const device = deviceFromUserAgent(ua);
  const record = baseRecord(ctx, {
    RecordType: 15,
    Operation: o.failure ? 'UserLoginFailed' : 'UserLoggedIn',
    Workload: 'AzureActiveDirectory',
    // Real quirk: failed logons still carry ResultStatus "Success".
    ResultStatus: rng.chance(0.5) ? 'Success' : 'Succeeded',
    UserKey: `${o.user.puid}@${tenant.domain}`,
    UserId: o.user.upn,
    ClientIP: o.ip,
    ObjectId: app,
  });
  const intraSystemId = record.Id as string;
  Object.assign(record, {
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: nameValue({
      ResultStatusDetail: o.failure ? 'Success' : rng.pick(['Success', 'Redirect']),
      UserAgent: ua,
      UserAuthenticationMethod: o.authenticationMethod ?? String(rng.pick([1, 3, 9, 12])),
      RequestType: o.requestType ?? rng.pick(['OAuth2:Authorize', 'Login:login', 'SAS:EndAuth', 'OAuth2:Token']),
      ...(o.failure ? {} : { KeepMeSignedIn: rng.pick(['True', 'False']) }),
    }),
    ModifiedProperties: [],
    Actor: [
      { ID: o.user.objectId, Type: 0 },
      { ID: o.user.upn, Type: 5 },
      { ID: o.user.puid, Type: 3 },
    ],
    ActorContextId: tenant.tenantId,
    ActorIpAddress: o.ip,
    InterSystemsId: rng.guid(),
    IntraSystemId: intraSystemId,
    SupportTicketId: '',
    Target: [{ ID: app, Type: 0 }],
    TargetContextId: tenant.tenantId,
    ApplicationId: app,
    DeviceProperties: nameValue({
      OS: device.os,
      BrowserType: device.browser,
      IsCompliant: rng.pick(['True', 'False']),
      IsCompliantAndManaged: rng.pick(['True', 'False']),
      SessionId: rng.guid(),
      ...(rng.chance(0.5) ? { DeviceTrustType: String(rng.int(0, 2)) } : {}),
    }),
  });
  if (o.failure) Object.assign(record, { ErrorNumber: o.failure.number, LogonError: o.failure.error });
  return record;
}

export interface DirectoryChangeOptions {
  operation: string;
  actor: SyntheticUser;
  /** Target UPN, application name or object id. */
  target: string;
  modified: { Name: string; NewValue: string; OldValue: string }[];
  category?: string;
  ip?: string;
}

/** An AzureActiveDirectory (8) directory-audit record (role, user, app changes). */
export function directoryChange(ctx: RecordContext, o: DirectoryChangeOptions): AuditRecord {
  const { rng, tenant } = ctx;
  const ip = o.ip ?? '';
  const record = baseRecord(ctx, {
    RecordType: 8,
    Operation: o.operation,
    Workload: 'AzureActiveDirectory',
    ResultStatus: 'Success',
    UserKey: `${o.actor.puid}@${tenant.domain}`,
    UserId: o.actor.upn,
    ClientIP: ip,
    ObjectId: o.target,
  });
  const actorGuid = o.actor.objectId;
  Object.assign(record, {
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: nameValue({ additionalDetails: '{}', extendedAuditEventCategory: o.category ?? 'User' }),
    ModifiedProperties: o.modified,
    Actor: [
      { ID: o.actor.upn, Type: 5 },
      { ID: o.actor.puid, Type: 3 },
      { ID: `User_${actorGuid}`, Type: 2 },
      { ID: actorGuid, Type: 2 },
      { ID: 'User', Type: 2 },
    ],
    ActorContextId: tenant.tenantId,
    ActorIpAddress: ip,
    InterSystemsId: rng.guid(),
    IntraSystemId: rng.guid(),
    SupportTicketId: '',
    Target: [
      { ID: `User_${rng.guid()}`, Type: 2 },
      { ID: o.target, Type: 5 },
    ],
    TargetContextId: tenant.tenantId,
  });
  return record;
}

export const ROLES = [
  { name: 'Global Administrator', templateId: '62e90394-69f5-4237-9190-012177145e10', wellKnown: 'TenantAdmins' },
  {
    name: 'Exchange Administrator',
    templateId: '29232cdf-9323-42fd-ade2-1d097af3e4de',
    wellKnown: 'ExchangeServiceAdministrator',
  },
  { name: 'Helpdesk Administrator', templateId: '729827e3-9c14-49f7-bb1b-9608f156bbb8', wellKnown: 'HelpdeskAdmins' },
  { name: 'Security Reader', templateId: '5d6b6bb7-de71-4623-b4af-96380a352509', wellKnown: 'SecurityReader' },
] as const;

export function addMemberToRole(
  ctx: RecordContext,
  actor: SyntheticUser,
  target: SyntheticUser,
  role: (typeof ROLES)[number],
): AuditRecord {
  return directoryChange(ctx, {
    operation: 'Add member to role.',
    actor,
    target: target.upn,
    modified: [
      { Name: 'Role.ObjectID', NewValue: ctx.rng.guid(), OldValue: '' },
      { Name: 'Role.DisplayName', NewValue: role.name, OldValue: '' },
      { Name: 'Role.TemplateId', NewValue: role.templateId, OldValue: '' },
      { Name: 'Role.WellKnownObjectName', NewValue: role.wellKnown, OldValue: '' },
    ],
  });
}

export function consentToApplication(
  ctx: RecordContext,
  actor: SyntheticUser,
  appName: string,
  permissions: string,
): AuditRecord {
  return directoryChange(ctx, {
    operation: 'Consent to application.',
    actor,
    target: appName,
    category: 'ApplicationManagement',
    modified: [
      { Name: 'ConsentContext.IsAdminConsent', NewValue: 'False', OldValue: '' },
      { Name: 'ConsentContext.IsAppOnly', NewValue: 'False', OldValue: '' },
      { Name: 'ConsentContext.OnBehalfOfAll', NewValue: 'False', OldValue: '' },
      {
        Name: 'ConsentAction.Permissions',
        NewValue: `[] => [[Id: ${ctx.rng.hex(43)}, ClientId: ${ctx.rng.guid()}, PrincipalId: ${actor.objectId}, ResourceId: ${ctx.rng.guid()}, ConsentType: Principal, Scope: ${permissions}, CreatedDateTime: , LastModifiedDateTime ]]; `,
        OldValue: '',
      },
      { Name: 'TargetId.ServicePrincipalNames', NewValue: ctx.rng.guid(), OldValue: '' },
    ],
  });
}

function homeIp(ctx: RecordContext, user: SyntheticUser): string {
  return quirkyClientIp(ctx.rng, user.country);
}

export const AAD_TEMPLATES: RecordTemplate[] = [
  {
    kind: 'aad.login.success',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 30,
    build: (ctx) => {
      const user = pickUser(ctx);
      return stsLogon(ctx, { user, ip: homeIp(ctx, user) });
    },
  },
  {
    kind: 'aad.login.failure',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 6,
    build: (ctx) => {
      const user = pickUser(ctx);
      return stsLogon(ctx, { user, ip: homeIp(ctx, user), failure: ctx.rng.pick(LOGON_ERRORS) });
    },
  },
  {
    kind: 'aad.user.update',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 3,
    build: (ctx) => {
      const actor = adminUser(ctx);
      const target = pickOtherUser(ctx, actor);
      return directoryChange(ctx, {
        operation: 'Update user.',
        actor,
        target: target.upn,
        modified: [
          { Name: 'Department', NewValue: `["${ctx.rng.pick(['Finance', 'Sales', 'IT', 'HR'])}"]`, OldValue: '[]' },
          { Name: 'Included Updated Properties', NewValue: 'Department', OldValue: '' },
        ],
      });
    },
  },
  {
    kind: 'aad.user.add',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 1,
    build: (ctx) => {
      const actor = adminUser(ctx);
      const upn = `new.hire${ctx.rng.int(100, 999)}@${ctx.tenant.domain}`;
      return directoryChange(ctx, {
        operation: 'Add user.',
        actor,
        target: upn,
        modified: [
          { Name: 'AccountEnabled', NewValue: '[true]', OldValue: '[]' },
          { Name: 'UserPrincipalName', NewValue: `["${upn}"]`, OldValue: '[]' },
          { Name: 'UserType', NewValue: '["Member"]', OldValue: '[]' },
        ],
      });
    },
  },
  {
    kind: 'aad.role.add-member',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 0.03,
    build: (ctx) => {
      const actor = adminUser(ctx);
      return addMemberToRole(ctx, actor, pickOtherUser(ctx, actor), ctx.rng.pick(ROLES.slice(1)));
    },
  },
  {
    kind: 'aad.app.consent',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 0.03,
    build: (ctx) =>
      consentToApplication(
        ctx,
        pickUser(ctx),
        ctx.rng.pick(['Adobe Acrobat', 'Zoom', 'Miro']),
        'openid profile User.Read offline_access',
      ),
  },
  {
    kind: 'aad.sp.add-credentials',
    contentType: 'Audit.AzureActiveDirectory',
    weight: 0.03,
    build: (ctx) =>
      directoryChange(ctx, {
        operation: 'Add service principal credentials.',
        actor: adminUser(ctx),
        target: ctx.rng.pick(['Backup Connector', 'HR Sync', 'Intake App']),
        category: 'ApplicationManagement',
        modified: [
          {
            Name: 'KeyDescription',
            NewValue: `["[KeyIdentifier=${ctx.rng.guid()},KeyType=Password,KeyUsage=Verify,DisplayName=]"]`,
            OldValue: '[]',
          },
          { Name: 'Included Updated Properties', NewValue: 'KeyDescription', OldValue: '' },
        ],
      }),
  },
];
