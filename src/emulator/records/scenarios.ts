import type { AuditRecord } from '../../core/audit-record.ts';
import type { ContentType } from '../../core/content-types.ts';
import { addMemberToRole, consentToApplication, ROLES, stsLogon } from './aad.ts';
import { exchangeCmdlet, mailboxPath, newInboxRule } from './exchange.ts';
import { ipFromCountry, SUSPICIOUS_USER_AGENTS, UNUSUAL_COUNTRIES } from './network.ts';
import { fileOperation, randomFile } from './sharepoint.ts';
import { adminUser, pickOtherUser, pickUser, type RecordContext } from './template.ts';

export interface ScenarioRecord {
  contentType: ContentType;
  record: AuditRecord;
}

/** A demo attack: a short burst of records that detection rules should flag. */
export interface Scenario {
  name: string;
  build(ctx: RecordContext): ScenarioRecord[];
}

/** Runs `fn` with the event time shifted by `offsetMs` (scenario steps are spread over a few minutes). */
function at(ctx: RecordContext, offsetMs: number): RecordContext {
  return { ...ctx, at: ctx.at + offsetMs };
}

const aad = (record: AuditRecord): ScenarioRecord => ({ contentType: 'Audit.AzureActiveDirectory', record });
const exo = (record: AuditRecord): ScenarioRecord => ({ contentType: 'Audit.Exchange', record });
const spo = (record: AuditRecord): ScenarioRecord => ({ contentType: 'Audit.SharePoint', record });

export const SCENARIOS: Scenario[] = [
  {
    name: 'password-spray',
    build: (ctx) => {
      const ip = ipFromCountry(ctx.rng, ctx.rng.pick(UNUSUAL_COUNTRIES));
      const ua = ctx.rng.pick(SUSPICIOUS_USER_AGENTS);
      const out: ScenarioRecord[] = ctx.tenant.users.map((user, i) =>
        aad(
          stsLogon(at(ctx, i * 2000), {
            user,
            ip,
            userAgent: ua,
            failure: { number: '50126', error: 'InvalidUserNameOrPassword' },
            requestType: 'OAuth2:Token',
          }),
        ),
      );
      const victim = pickUser(ctx);
      out.push(
        aad(
          stsLogon(at(ctx, ctx.tenant.users.length * 2000 + 5000), {
            user: victim,
            ip,
            userAgent: ua,
            requestType: 'OAuth2:Token',
          }),
        ),
      );
      return out;
    },
  },
  {
    name: 'brute-force',
    build: (ctx) => {
      const user = pickUser(ctx);
      const ip = ipFromCountry(ctx.rng, ctx.rng.pick(UNUSUAL_COUNTRIES));
      const out = Array.from({ length: 15 }, (_, i) =>
        aad(stsLogon(at(ctx, i * 1500), { user, ip, failure: { number: '50126', error: 'InvalidUserNameOrPassword' } })),
      );
      out.push(aad(stsLogon(at(ctx, 30_000), { user, ip })));
      return out;
    },
  },
  {
    name: 'inbox-rule-forwarding',
    build: (ctx) => {
      const user = pickUser(ctx);
      return [
        exo(
          newInboxRule(
            ctx,
            user,
            `${ctx.rng.pick(['archive', 'backup', 'x'])}${ctx.rng.int(1, 99)}@${ctx.rng.pick(['protonmail.com', 'gmail.com', 'evil.example'])}`,
            ctx.rng.pick(['.', '..', 'RSS Sync', 'Forward']),
          ),
        ),
      ];
    },
  },
  {
    name: 'global-admin-granted',
    build: (ctx) => {
      const actor = adminUser(ctx);
      const global = ROLES[0];
      return [aad(addMemberToRole(ctx, actor, pickOtherUser(ctx, actor), global))];
    },
  },
  {
    name: 'illicit-consent',
    build: (ctx) => [
      aad(
        consentToApplication(
          ctx,
          pickUser(ctx),
          ctx.rng.pick(['Mail Backup Pro', 'PDF Viewer Online', 'eDiscovery Helper']),
          'Mail.Read Mail.Send Files.ReadWrite.All offline_access',
        ),
      ),
    ],
  },
  {
    name: 'mass-download',
    build: (ctx) => {
      const user = pickUser(ctx);
      const ip = ipFromCountry(ctx.rng, user.country);
      return Array.from({ length: 60 }, (_, i) =>
        spo(
          fileOperation(
            at(ctx, i * 700),
            'FileDownloaded',
            user,
            randomFile(ctx, user, `document_${i}.${ctx.rng.pick(['docx', 'xlsx', 'pdf'])}`),
            ip,
          ),
        ),
      );
    },
  },
  {
    name: 'mass-delete',
    build: (ctx) => {
      const user = pickUser(ctx);
      const ip = ipFromCountry(ctx.rng, user.country);
      return Array.from({ length: 60 }, (_, i) =>
        spo(
          fileOperation(
            at(ctx, i * 500),
            'FileDeleted',
            user,
            randomFile(ctx, user, `file_${i}.${ctx.rng.pick(['docx', 'xlsx', 'pptx'])}`),
            ip,
          ),
        ),
      );
    },
  },
  {
    name: 'audit-disabled',
    build: (ctx) => {
      const admin = adminUser(ctx);
      return [
        exo(
          exchangeCmdlet(ctx, admin, 'Set-AdminAuditLogConfig', 'Admin Audit Log Settings', {
            Identity: 'Admin Audit Log Settings',
            UnifiedAuditLogIngestionEnabled: 'False',
          }),
        ),
      ];
    },
  },
  {
    name: 'anti-phish-removed',
    build: (ctx) => {
      const admin = adminUser(ctx);
      const name = ctx.rng.pick(['Office365 AntiPhish Default', 'Strict Preset Security Policy']);
      return [
        exo(exchangeCmdlet(ctx, admin, 'Remove-AntiPhishPolicy', name, { Identity: name, Confirm: 'False' })),
        exo(exchangeCmdlet(at(ctx, 4000), admin, 'Disable-AntiPhishRule', name, { Identity: name })),
        exo(
          exchangeCmdlet(at(ctx, 8000), admin, 'Set-MalwareFilterPolicy', 'Default', {
            Identity: 'Default',
            EnableFileFilter: 'False',
          }),
        ),
      ];
    },
  },
  {
    name: 'device-code-sign-in',
    build: (ctx) => {
      const user = pickUser(ctx);
      const ip = ipFromCountry(ctx.rng, ctx.rng.pick(UNUSUAL_COUNTRIES));
      return [
        aad(
          stsLogon(ctx, {
            user,
            ip,
            requestType: 'Cmsi:Cmsi',
            authenticationMethod: '1',
            applicationId: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
          }),
        ),
      ];
    },
  },
  {
    name: 'unusual-country-sign-in',
    build: (ctx) => {
      const user = pickUser(ctx);
      return [aad(stsLogon(ctx, { user, ip: ipFromCountry(ctx.rng, ctx.rng.pick(UNUSUAL_COUNTRIES)) }))];
    },
  },
  {
    name: 'mailbox-forwarding',
    build: (ctx) => {
      const user = pickUser(ctx);
      return [
        exo(
          exchangeCmdlet(ctx, adminUser(ctx), 'Set-Mailbox', mailboxPath(ctx, user), {
            Identity: user.upn,
            ForwardingSmtpAddress: `smtp:${user.upn.split('@')[0]}@protonmail.com`,
            DeliverToMailboxAndForward: 'True',
          }),
        ),
      ];
    },
  },
];
