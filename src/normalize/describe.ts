import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { get } from './document.ts';
import { asArray, asObject, asString, ownValue } from './values.ts';

type Describer = (r: AuditRecord, ecs: EcsDocument, who: string) => string | undefined;

const MAX_LENGTH = 300;

function text(ecs: EcsDocument, path: string): string | undefined {
  const v = get(ecs, path);
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function list(ecs: EcsDocument, path: string, max = 3): string | undefined {
  const v = get(ecs, path);
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const unique = [...new Set(v.map(String))];
  const shown = unique.slice(0, max).join(', ');
  return unique.length > max ? `${shown} and ${unique.length - max} more` : shown;
}

function from(ecs: EcsDocument): string {
  const ip = text(ecs, 'source.ip') ?? text(ecs, 'source.address');
  return ip !== undefined ? ` from ${ip}` : '';
}

function quoted(value: string | undefined): string {
  return value !== undefined ? `"${value}"` : '';
}

/** "FileDownloaded" → "downloaded"; the SharePoint/OneDrive file verbs analysts read most. */
const FILE_VERBS: Readonly<Record<string, string>> = {
  FileAccessed: 'accessed',
  FileAccessedExtended: 'accessed',
  FileDownloaded: 'downloaded',
  FileUploaded: 'uploaded',
  FileModified: 'modified',
  FileModifiedExtended: 'modified',
  FileDeleted: 'deleted',
  FileRecycled: 'deleted',
  FileDeletedFirstStageRecycleBin: 'deleted',
  FileDeletedSecondStageRecycleBin: 'permanently deleted',
  FileRestored: 'restored',
  FileRenamed: 'renamed',
  FileMoved: 'moved',
  FileCopied: 'copied',
  FilePreviewed: 'previewed',
  FileCheckedOut: 'checked out',
  FileCheckedIn: 'checked in',
  FileSyncDownloadedFull: 'synced down',
  FileSyncUploadedFull: 'synced up',
};

const MAILBOX_VERBS: Readonly<Record<string, string>> = {
  SoftDelete: 'soft-deleted',
  HardDelete: 'hard-deleted',
  MoveToDeletedItems: 'moved to Deleted Items',
  Move: 'moved',
  Copy: 'copied',
  Create: 'created',
  Update: 'updated',
  Send: 'sent',
  SendAs: 'sent as another user',
  SendOnBehalf: 'sent on behalf of another user',
};

const describeLogon: Describer = (r, ecs, who) => {
  const app = text(ecs, 'office365.context.client.name');
  const via = app !== undefined ? ` to ${app}` : '';
  if (r.Operation === 'UserLoginFailed') {
    const reason = text(ecs, 'office365.logon_error') ?? text(ecs, 'office365.error_number');
    return `${who} failed to sign in${via}${from(ecs)}${reason !== undefined ? ` (${reason})` : ''}`;
  }
  if (r.Operation === 'UserLoggedIn') return `${who} signed in${via}${from(ecs)}`;
  return undefined;
};

function modifiedNewValue(r: AuditRecord, name: string, side: 'NewValue' | 'OldValue'): string | undefined {
  for (const item of asArray(r.ModifiedProperties)) {
    const p = asObject(item);
    if (p?.Name === name) return asString(p[side]) || undefined;
  }
  return undefined;
}

const describeDirectory: Describer = (r, ecs, who) => {
  const action = text(ecs, 'action.name') ?? 'an operation';
  const target = text(ecs, 'office365.target.displayName') ?? text(ecs, 'office365.audit.object_id');
  if (action === 'Add member to role') {
    return `${who} added ${target ?? 'a member'} to role ${modifiedNewValue(r, 'Role.DisplayName', 'NewValue') ?? '(unknown)'}${from(ecs)}`;
  }
  if (action === 'Remove member from role') {
    return `${who} removed ${target ?? 'a member'} from role ${modifiedNewValue(r, 'Role.DisplayName', 'OldValue') ?? '(unknown)'}${from(ecs)}`;
  }
  if (action === 'Consent to application') return `${who} consented to application ${target ?? '(unknown)'}${from(ecs)}`;
  return `${who} performed "${action}"${target !== undefined ? ` on ${target}` : ''} in Entra ID${from(ecs)}`;
};

const describeExchangeAdmin: Describer = (r, ecs, who) => {
  const params = list(ecs, 'office365.exchange_admin.parameters', 4);
  const target = asString(r.ObjectId);
  const failed = text(ecs, 'action.outcome') === 'failure' ? ' (failed)' : '';
  return `${who} ran ${text(ecs, 'action.name') ?? 'a cmdlet'}${target ? ` on ${target}` : ''}${params ? ` with ${params}` : ''}${from(ecs)}${failed}`;
};

const describeMailbox: Describer = (r, ecs, who) => {
  const op = asString(r.Operation) ?? '';
  if (op === 'MailboxLogin')
    return `${who} signed in to mailbox ${asString(r.MailboxOwnerUPN) ?? ''}${from(ecs)}`.replace('  ', ' ');
  if (op === 'MailItemsAccessed') {
    const folders = list(ecs, 'office365.folders.paths');
    const count = typeof r.OperationCount === 'number' ? `${r.OperationCount} ` : '';
    return `${who} accessed ${count}mail item(s)${folders ? ` in ${folders}` : ''}${from(ecs)}`;
  }
  if (op === 'UpdateInboxRules' || op === 'New-InboxRule') {
    const props = asObject(get(ecs, 'office365.operation.properties'));
    const rule = asString(props?.RuleName);
    return `${who} changed inbox rule${rule ? ` "${rule}"` : ''} of mailbox ${asString(r.MailboxOwnerUPN) ?? ''}${from(ecs)}`;
  }
  const verb = ownValue(MAILBOX_VERBS, op) ?? `performed ${op} on`;
  const subjects = get(ecs, 'office365.exchange.email.subjects');
  if (Array.isArray(subjects)) {
    const paths = list(ecs, 'office365.exchange.email.paths', 1);
    return `${who} ${verb} ${subjects.length} mail item(s)${paths ? ` in ${paths}` : ''}${from(ecs)}`;
  }
  const subject = text(ecs, 'email.subject');
  return `${who} ${verb} mail item${subject ? ` ${quoted(subject)}` : ''}${from(ecs)}`;
};

const describeFile: Describer = (r, ecs, who) => {
  const op = asString(r.Operation) ?? '';
  const file = text(ecs, 'file.name') ?? text(ecs, 'url.full') ?? 'a file';
  const where = text(ecs, 'url.full');
  if (op === 'FileMalwareDetected') {
    return `Malware ${text(ecs, 'office365.virus_info') ?? ''} detected in file ${file}${where ? ` (${where})` : ''}`.replace(
      '  ',
      ' ',
    );
  }
  const verb = ownValue(FILE_VERBS, op);
  if (verb !== undefined) return `${who} ${verb} file ${file}${where && where !== file ? ` (${where})` : ''}${from(ecs)}`;
  const target = text(ecs, 'user.target.name');
  if (op === 'AnonymousLinkCreated') return `${who} created an anonymous link to ${file}${from(ecs)}`;
  if (SHARING_OPERATIONS.has(op) && target !== undefined) return `${who} shared ${file} with ${target} (${op})${from(ecs)}`;
  return `${who} performed ${op} on ${file}${target ? ` for ${target}` : ''}${from(ecs)}`;
};

const SHARING_OPERATIONS = new Set([
  'SharingInvitationCreated',
  'AddedToSecureLink',
  'SharingSet',
  'AddedToGroup',
  'CompanyLinkCreated',
  'SecureLinkCreated',
]);

const describeTeams: Describer = (r, ecs, who) => {
  const team = text(ecs, 'office365.teams.team.name') ?? text(ecs, 'office365.teams.channel.name');
  const members = get(ecs, 'office365.teams.team.members');
  const memberNames = Array.isArray(members)
    ? members
        .map((m) => asString(asObject(m)?.id))
        .filter(Boolean)
        .slice(0, 3)
        .join(', ')
    : '';
  const op = asString(r.Operation);
  if (op === 'MemberAdded' && memberNames && team) return `${who} added ${memberNames} to team ${team}${from(ecs)}`;
  if (op === 'MemberRemoved' && memberNames && team) return `${who} removed ${memberNames} from team ${team}${from(ecs)}`;
  if (op === 'TeamCreated' && team) return `${who} created team ${team}${from(ecs)}`;
  if (op === 'TeamDeleted' && team) return `${who} deleted team ${team}${from(ecs)}`;
  return `${who} performed ${text(ecs, 'action.name') ?? 'an action'} in Teams${team ? ` (${team})` : ''}${memberNames ? ` with ${memberNames}` : ''}${from(ecs)}`;
};

const describeMail: Describer = (_r, ecs) => {
  const sender = list(ecs, 'email.from.address', 1) ?? 'an unknown sender';
  const to = list(ecs, 'email.to.address') ?? 'unknown recipients';
  const verdict = text(ecs, 'office365.defender.email.verdict.reason');
  const action = text(ecs, 'office365.defender.email.delivery.action');
  return `Email ${quoted(text(ecs, 'email.subject'))} from ${sender} to ${to}${verdict ? `: ${verdict}` : ''}${action ? `, ${action}` : ''}`.replace(
    'Email  ',
    'Email ',
  );
};

const describeUrlClick: Describer = (_r, ecs, who) =>
  `${who} clicked ${text(ecs, 'url.original') ?? 'a URL'} protected by Safe Links${from(ecs)}`;

const describeAtpFile: Describer = (_r, ecs) => {
  const family = text(ecs, 'office365.defender.malware_family');
  return `Malware${family ? ` ${family}` : ''} detected in file ${text(ecs, 'file.name') ?? '(unknown)'}${text(ecs, 'url.original') ? ` (${text(ecs, 'url.original')})` : ''}`;
};

const describeSccAlert: Describer = (r, ecs) => {
  const name = text(ecs, 'office365.alert.display_name') ?? 'Alert';
  const severity = text(ecs, 'office365.alert.severity');
  const about = text(ecs, 'user.email') ?? list(ecs, 'email.from.address', 1) ?? text(ecs, 'office365.audit.object_id');
  const prefix = asString(r.Source) === 'Cloud App Security' ? 'Cloud App Security alert' : 'Alert';
  return `${prefix}: ${name}${severity ? ` (${severity})` : ''}${about ? ` about ${about}` : ''}${asString(r.Operation) ? ` [${asString(r.Operation)}]` : ''}`;
};

const describeMcasAlert: Describer = (_r, ecs, who) => {
  const severity = text(ecs, 'office365.alert.severity');
  return `Defender for Cloud Apps alert: ${text(ecs, 'office365.alert.display_name') ?? 'alert'}${severity ? ` (${severity})` : ''} for ${who}`;
};

const describeAir: Describer = (_r, ecs) => {
  const name = text(ecs, 'office365.investigation.name') ?? text(ecs, 'office365.investigation.id') ?? 'investigation';
  const status = text(ecs, 'office365.investigation.status');
  return `Automated investigation ${quoted(name)}${status ? `: ${status}` : ''}`;
};

const describeDlp: Describer = (_r, ecs, who) => {
  const rule = text(ecs, 'rule.name') ?? 'a DLP rule';
  const subject = text(ecs, 'file.name') ?? text(ecs, 'email.subject');
  return `DLP rule ${quoted(rule)} matched${subject ? ` ${subject}` : ''} for ${who}${text(ecs, 'office365.dlp.severity') ? ` (${text(ecs, 'office365.dlp.severity')})` : ''}`;
};

const describeAiInteraction: Describer = (_r, ecs, who) => {
  const app = text(ecs, 'office365.copilot.app_identity') ?? `Copilot in ${text(ecs, 'office365.copilot.app_host') ?? 'an app'}`;
  const resources = get(ecs, 'office365.copilot.accessed_resources');
  const names = Array.isArray(resources)
    ? resources.map((x) => asString(asObject(x)?.name)).filter((n): n is string => n !== undefined)
    : [];
  const read =
    names.length > 0 ? `, reading ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}` : '';
  const flags = [
    get(ecs, 'office365.copilot.jailbreak_detected') === true ? 'jailbreak attempt detected' : undefined,
    get(ecs, 'office365.copilot.xpia_detected') === true ? 'prompt injection detected in a resource' : undefined,
  ].filter(Boolean);
  return `${who} used ${app}${read}${from(ecs)}${flags.length > 0 ? ` (${flags.join('; ')})` : ''}`;
};

const describeDefenderAlert: Describer = (_r, ecs, who) => {
  const severity = text(ecs, 'office365.alert.severity');
  const on = text(ecs, 'host.name') ?? who;
  return `Alert: ${text(ecs, 'office365.alert.display_name') ?? 'alert'}${severity ? ` (${severity})` : ''} on ${on}`;
};

const describeRiskDetection: Describer = (_r, ecs, who) => {
  const level = text(ecs, 'office365.risk.level');
  return `Risk detection ${text(ecs, 'rule.name') ?? ''}${level ? ` (${level})` : ''} for ${who}${from(ecs)}`;
};

const DESCRIBERS: ReadonlyMap<number, Describer> = new Map<number, Describer>([
  [261, describeAiInteraction],
  [284, describeAiInteraction],
  [328, describeAiInteraction],
  [334, describeAiInteraction],
  [61, describeDefenderAlert],
  [78, describeDefenderAlert],
  [90, describeDefenderAlert],
  [113, describeDefenderAlert],
  [307, describeDefenderAlert],
  [294, describeRiskDetection],
  [1, describeExchangeAdmin],
  [2, describeMailbox],
  [3, describeMailbox],
  [50, describeMailbox],
  [6, describeFile],
  [14, describeFile],
  [8, describeDirectory],
  [15, describeLogon],
  [11, describeDlp],
  [13, describeDlp],
  [63, describeDlp],
  [25, describeTeams],
  [28, describeMail],
  [41, describeUrlClick],
  [47, describeAtpFile],
  [40, describeSccAlert],
  [98, describeMcasAlert],
  [64, describeAir],
]);

function generic(ecs: EcsDocument, who: string): string {
  const action = text(ecs, 'action.name') ?? 'an unknown action';
  const service = text(ecs, 'service.name') ?? 'an unknown service';
  const on = text(ecs, 'url.full');
  return `${who} performed ${action} on ${service}${on ? ` on resource ${on}` : ''}${from(ecs)}`;
}

/**
 * A one-line human description of an event, for the UI, alerts and sinks that want a `message`
 * (e.g. "alice@contoso.com failed to sign in from 203.0.113.5 (InvalidUserNameOrPassword)").
 */
export function describe(record: AuditRecord, ecs: EcsDocument): string {
  const who = text(ecs, 'user.name') ?? text(ecs, 'user.id') ?? asString(record.UserId) ?? 'An unknown user';
  const describer = typeof record.RecordType === 'number' ? DESCRIBERS.get(record.RecordType) : undefined;
  const line = (describer?.(record, ecs, who) ?? generic(ecs, who)).replace(/\s+/g, ' ').trim();
  return line.length > MAX_LENGTH ? `${line.slice(0, MAX_LENGTH - 1)}…` : line;
}
