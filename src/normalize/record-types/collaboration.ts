import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { compactObject, get, put } from '../document.ts';
import { asArray, asNumber, asObject, asString } from '../values.ts';
import { addRelated, eventTypeOf, family, modifiedProperties, type RecordTypeFamily, textList } from './family.ts';
import { mapSharePoint } from './sharepoint.ts';
import { CHANGE_FIELDS } from './security-operations.ts';

const LOGON_TYPES = ['Owner', 'Admin', 'Delegated', 'Transport', 'SystemService', 'BestAccess', 'DelegatedAdmin'];

/** Exchange mailbox audit fields (Exchange Mailbox schema) shared by the aggregated and search records. */
const MAILBOX_FIELDS = {
  LogonUserSid: 'user.id:text',
  MailboxGuid: 'office365.exchange.mailbox_guid:text',
  MailboxOwnerUPN: 'office365.exchange.mailbox_owner.upn:text',
  MailboxOwnerSid: 'office365.exchange.mailbox_owner.sid:text',
  ClientInfoString: 'office365.exchange.client_info:text',
  ExternalAccess: 'office365.exchange.external_access:boolean',
  OriginatingServer: 'office365.exchange.originating_server:text',
} as const;

function mapLogonType(record: AuditRecord, doc: EcsDocument): void {
  const logon = asNumber(record.LogonType);
  put(doc, 'office365.exchange.logon_type', logon !== undefined ? LOGON_TYPES[logon] : undefined);
}

export const EXCHANGE_MAILBOX_ACTIVITY: RecordTypeFamily = family(
  'Exchange aggregated mailbox operations, Outlook searches and briefing mail',
  { 19: 'ExchangeAggregatedOperation', 76: 'CortanaBriefing', 101: 'ExchangeSearch' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      ...MAILBOX_FIELDS,
      OperationCount: 'office365.exchange.operation_count:number',
      AggregateDurationInSeconds: 'office365.exchange.aggregate_duration_seconds:number',
      QueryText: 'office365.audit.search_query:text',
      SearchQuery: '?office365.audit.search_query:text',
    },
    extra: (record, doc) => {
      mapLogonType(record, doc);
      const seconds = asNumber(record.AggregateDurationInSeconds);
      if (seconds !== undefined && seconds >= 0) put(doc, 'event.duration', seconds * 1e9);
    },
  },
);

export const OWA_AUTH: RecordTypeFamily = family(
  'Outlook on the web access tokens issued for a resource',
  { 275: 'OWAAuth' },
  {
    category: ['authentication'],
    type: ['start'],
    fields: {
      UniqueTokenIdentifier: 'azuread.properties.uniqueTokenIdentifier:text',
      ResourceURL: 'url.original:text',
    },
  },
);

export const ENCRYPTED_MESSAGE_PORTAL: RecordTypeFamily = family(
  'Purview Message Encryption portal, accessed by external recipients',
  { 154: 'OMEPortal' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      MessageId: 'email.message_id:message_id',
      Sender: 'email.from.address:texts',
      Recipient: 'email.to.address:texts',
      AuthenticationMethod: 'office365.ome.authentication_method:raw',
      AttachmentName: 'office365.ome.attachment_name:text',
    },
    extra: (record, doc) => {
      const attachment = asString(record.AttachmentName);
      if (attachment) put(doc, 'email.attachments', [{ file: { name: attachment } }]);
      const auth = asNumber(record.AuthenticationStatus);
      const operation = asNumber(record.OperationStatus);
      put(doc, 'office365.ome.authentication_status', auth === 0 ? 'Success' : auth === 1 ? 'Failure' : undefined);
      if (auth === 1 || operation === 1) put(doc, 'action.outcome', 'failure');
      addRelated(doc, 'user', textList(record.Recipient));
    },
  },
);

/** ExchangeDetails of a communication-compliance hit → email.*, attachments with their hashes. */
function mapExchangeDetails(record: AuditRecord, doc: EcsDocument): void {
  const details = asObject(record.ExchangeDetails);
  if (details === undefined) return;
  const attachments: Record<string, unknown>[] = [];
  for (const item of asArray(details.AttachmentData)) {
    const a = asObject(item);
    const file = compactObject({ name: a?.FileName, extension: a?.FileType, hash: compactObject({ sha256: a?.SHA256 }) });
    if (file !== undefined) attachments.push({ file });
  }
  put(doc, 'email.attachments', attachments);
  const direction = asString(details.Directionality)?.toLowerCase();
  put(doc, 'email.direction', direction === 'originating' ? 'outbound' : direction === 'incoming' ? 'inbound' : direction);
}

export const COMMUNICATION_COMPLIANCE: RecordTypeFamily = family(
  'Communication compliance hits on Exchange mail',
  { 68: 'ComplianceSupervisionExchange' },
  {
    category: ['email'],
    type: ['info'],
    fields: {
      'ExchangeDetails.NetworkMessageId': 'email.local_id:text',
      'ExchangeDetails.InternetMessageId': 'email.message_id:message_id',
      'ExchangeDetails.Subject': 'email.subject:text',
      'ExchangeDetails.From': 'email.from.address:texts',
      'ExchangeDetails.Recipients': 'email.to.address:texts',
      'ExchangeDetails.MessageTime': 'email.origination_timestamp:date',
    },
    extra: mapExchangeDetails,
  },
);

/** Fields of the Microsoft Teams schema that identify the team, channel and message. */
const TEAMS_FIELDS = {
  TeamName: 'office365.teams.team.name:text',
  TeamGuid: 'office365.teams.team.id:text',
  ChannelName: 'office365.teams.channel.name:text',
  ChannelGuid: 'office365.teams.channel.id:text',
  ChannelType: 'office365.teams.channel.type:text',
  ChatThreadId: 'office365.teams.chat.thread_id:text',
  MessageId: 'office365.teams.message.id:text',
  AddOnName: 'office365.teams.add_on.name:text',
  AddOnGuid: 'office365.teams.add_on.id:text',
  TabType: 'office365.teams.tab_type:text',
  Name: 'office365.teams.setting.name:text',
  OldValue: 'office365.teams.setting.old_value:text',
  NewValue: 'office365.teams.setting.new_value:text',
  ...CHANGE_FIELDS,
} as const;

export const TEAMS_ADMINISTRATION: RecordTypeFamily = family(
  'Teams administration, devices, Shifts, approvals, updates, healthcare and evaluation-data-hub activity',
  {
    49: 'TeamsHealthcare',
    57: 'MicrosoftTeamsAdmin',
    73: 'MicrosoftTeamsShifts',
    92: 'TeamsEasyApprovals',
    230: 'TeamsUpdates',
    444: 'TeamsEvalDataHubDataAccess',
    445: 'TeamsEvalDataHubPermissionChange',
  },
  { category: ['configuration'], fields: TEAMS_FIELDS },
);

export const TEAMS_DEVICES: RecordTypeFamily = family(
  'Teams devices (Teams Rooms, phones, displays)',
  { 59: 'MicrosoftTeamsDevice' },
  {
    category: ['host'],
    type: ['info'],
    fields: {
      DeviceName: 'host.name:text',
      DeviceId: 'host.id:text',
      DeviceType: 'host.type:text',
      DeviceModel: 'office365.teams.device.model:text',
      SoftwareVersion: 'office365.teams.device.software_version:text',
      ...TEAMS_FIELDS,
    },
    extra: (_record, doc) => addRelated(doc, 'hosts', [get(doc, 'host.name')]),
  },
);

export const TEAMS_ANALYTICS: RecordTypeFamily = family(
  'Teams analytics and reports viewed',
  { 60: 'MicrosoftTeamsAnalytics' },
  { category: ['web'], type: ['access'], fields: TEAMS_FIELDS },
);

/** User concern reports: ReportMetadata (JSON text) holds the reason and the reported entity. */
function mapUserConcern(record: AuditRecord, doc: EcsDocument): void {
  const metadata = get(doc, 'office365.teams.user_concern.report') as Record<string, unknown> | undefined;
  const reason = asString(metadata?.ReportReason) ?? asString(metadata?.Reason);
  put(doc, 'event.reason', get(doc, 'event.reason') ?? reason);
  const reported = asString(metadata?.ReportedUserUpn) ?? asString(metadata?.ReportedUser);
  put(doc, 'user.target.name', get(doc, 'user.target.name') ?? reported);
  addRelated(doc, 'user', [get(doc, 'user.target.name')]);
  if (record.Operation === 'MessageReported') put(doc, 'office365.teams.message.id', asString(metadata?.MessageId));
}

export const TEAMS_USER_CONCERNS: RecordTypeFamily = family(
  'Teams user security concerns (reported messages, calls, users)',
  { 462: 'MicrosoftTeamsUserConcern' },
  {
    category: ['intrusion_detection'],
    type: ['info'],
    fields: {
      SubmissionId: 'office365.teams.user_concern.submission_id:text',
      ReportMetadata: 'office365.teams.user_concern.report:json',
    },
    extra: mapUserConcern,
  },
);

/** SharePoint list, list item, field and content-type records; comments, searches, signatures, site policies. */
const SHAREPOINT_FIELDS = {
  SiteUrl: 'office365.audit.site:text',
  ItemType: 'office365.audit.item_type:text',
  EventSource: 'office365.audit.event_source:text',
  ListId: 'office365.sharepoint.list.id:text',
  ListTitle: 'office365.sharepoint.list.title:text',
  ListName: 'office365.sharepoint.list.name:text',
  ListUrl: 'office365.sharepoint.list.url:text',
  ListBaseType: 'office365.sharepoint.list.base_type:text',
  ListBaseTemplateType: 'office365.sharepoint.list.template_type:text',
  IsHiddenList: 'office365.sharepoint.list.is_hidden:boolean',
  IsDocLib: 'office365.sharepoint.list.is_document_library:boolean',
  ListItemUniqueId: 'office365.sharepoint.list_item.id:text',
  ContentTypeId: 'office365.sharepoint.content_type.id:text',
  ContentTypeName: 'office365.sharepoint.content_type.name:text',
  FieldName: 'office365.sharepoint.field.name:text',
  FieldId: 'office365.sharepoint.field.id:text',
  CommentId: 'office365.sharepoint.comment_id:text',
  SearchQueryText: 'office365.audit.search_query:text',
  QueryText: '?office365.audit.search_query:text',
  AgreementId: 'office365.sharepoint.esignature.agreement_id:text',
  AgreementSender: 'office365.sharepoint.esignature.sender:text',
  AgreementStatus: 'office365.sharepoint.esignature.status:raw',
  CustomEvent: 'office365.sharepoint.custom_event:text',
  EventData: 'office365.audit.event_data:text',
  TargetUserOrGroupType: 'office365.sharepoint.target_type:text',
  SourceFileName: 'file.name:text',
  SourceFileExtension: 'file.extension:text',
  SourceRelativeUrl: 'file.directory:text',
  UserAgent: 'user_agent.original:text',
  ...CHANGE_FIELDS,
} as const;

export const SHAREPOINT_LISTS_AND_SITES: RecordTypeFamily = family(
  'SharePoint list items, fields, content types, comments, searches, eSignature, content-security policies',
  {
    37: 'SharePointCommentOperation',
    54: 'SharePointListItemOperation',
    55: 'SharePointContentTypeOperation',
    56: 'SharePointFieldOperation',
    102: 'SharePointSearch',
    277: 'SharePointESignature',
    336: 'SharePointContentSecurityPolicy',
  },
  {
    category: ['file'],
    fields: SHAREPOINT_FIELDS,
    extra: (record, doc) => {
      const objectId = asString(record.ObjectId);
      if (objectId !== undefined && /^https?:\/\//i.test(objectId)) put(doc, 'url.original', objectId);
      addRelated(doc, 'user', [asString(record.TargetUserOrGroupName)]);
    },
  },
);

/**
 * SharePoint (4) site operations: the reference mapping (file access), except for site and tenant administration —
 * sharing policies, site admins, settings — which are configuration changes with what changed.
 */
export function mapSharePointSite(record: AuditRecord, doc: EcsDocument): void {
  mapSharePoint(record, doc);
  const changes = modifiedProperties(record.ModifiedProperties);
  put(doc, 'office365.modified_properties', changes);
  put(doc, 'office365.audit.event_data', asString(record.EventData));
  const operation = asString(record.Operation) ?? '';
  if (changes.length > 0 || /polic|setting|admin|configur/i.test(operation)) {
    put(doc, 'event.category', ['configuration']);
    const type = eventTypeOf(operation, 'configuration');
    put(doc, 'event.type', type[0] === 'info' && changes.length > 0 ? ['change'] : type);
  }
}
