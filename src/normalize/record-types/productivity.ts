import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { get, put } from '../document.ts';
import { asNumber, asString } from '../values.ts';
import { addRelated, eventTypeOf, family, type RecordTypeFamily } from './family.ts';
import { CHANGE_FIELDS } from './security-operations.ts';

/** "id1,id2" → ["id1", "id2"]. */
function commaList(value: unknown): string[] | undefined {
  const text = asString(value);
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const PLANNER_RESULTS = [undefined, 'Success', 'Failure', 'AuthorizationFailure'];

/** Planner: numeric ResultStatus (1 success, 2 failure, 3 authorization failure); id lists as comma-separated text. */
function mapPlanner(record: AuditRecord, doc: EcsDocument): void {
  const status = asNumber(record.ResultStatus);
  if (status === 2 || status === 3) put(doc, 'action.outcome', 'failure');
  if (status !== undefined) put(doc, 'office365.planner.result', PLANNER_RESULTS[status]);
  put(doc, 'office365.planner.member_ids', commaList(record.MemberIds));
  put(
    doc,
    'office365.planner.listed_ids',
    commaList(record.PlanList ?? record.TaskList ?? record.GoalList ?? record.MessageList),
  );
}

export const PLANNER: RecordTypeFamily = family(
  'Microsoft Planner (plans, tasks, rosters, goals, chat, tenant settings)',
  {
    188: 'PlannerPlan',
    189: 'PlannerCopyPlan',
    190: 'PlannerTask',
    191: 'PlannerRoster',
    192: 'PlannerPlanList',
    193: 'PlannerTaskList',
    194: 'PlannerTenantSettings',
    386: 'PlannerGoal',
    387: 'PlannerGoalList',
    401: 'PlannerChatMessage',
    402: 'PlannerChatMessageList',
  },
  {
    category: ['file'],
    fields: {
      PlanId: 'office365.planner.plan_id:text',
      ContainerType: 'office365.planner.container.type:raw',
      ContainerId: 'office365.planner.container.id:text',
      SharedWithContainerId: 'office365.planner.shared_with.container_id:text',
      SharedWithContainerType: 'office365.planner.shared_with.container_type:raw',
      SharedWithContainerAccessLevel: 'office365.planner.shared_with.access_level:raw',
      OriginalPlanId: 'office365.planner.copy.original_plan_id:text',
      NewPlanId: 'office365.planner.copy.new_plan_id:text',
      NewContainerId: 'office365.planner.copy.new_container_id:text',
      TenantSettings: 'office365.planner.tenant_settings:json',
      ThreadType: 'office365.planner.thread_type:raw',
      ParentEntityId: 'office365.planner.parent_id:text',
    },
    extra: mapPlanner,
  },
);

export const PROJECT: RecordTypeFamily = family(
  'Microsoft Project and Project for the web (projects, tasks, roadmaps, tenant settings)',
  {
    35: 'Project',
    195: 'ProjectForThewebProject',
    196: 'ProjectForThewebTask',
    197: 'ProjectForThewebRoadmap',
    198: 'ProjectForThewebRoadmapItem',
    199: 'ProjectForThewebProjectSettings',
    200: 'ProjectForThewebRoadmapSettings',
    287: 'ProjectForThewebAssignedToMeSettings',
  },
  {
    category: ['file'],
    fields: {
      Entity: 'office365.project.entity:text',
      Action: 'office365.project.action:text',
      OnBehalfOfResId: 'office365.project.on_behalf_of:text',
      ProjectId: 'office365.project.project_id:text',
      TaskId: 'office365.project.task_id:text',
      RoadmapId: 'office365.project.roadmap_id:text',
      RoadmapItemId: 'office365.project.roadmap_item_id:text',
      EnvironmentName: 'office365.power_platform.environment:text',
      ProjectEnabled: 'office365.project.settings.project_enabled:boolean',
      RoadmapEnabled: 'office365.project.settings.roadmap_enabled:boolean',
      AssignedToMeEnabled: 'office365.project.settings.assigned_to_me_enabled:boolean',
      AdditionalInfo: 'office365.project.additional_info:pairs',
    },
    extra: (record, doc) => {
      // Legacy Project records carry the verb in Action (Create, Delete, Read…) rather than in Operation.
      if ((get(doc, 'event.type') as string[])[0] === 'info') put(doc, 'event.type', eventTypeOf(record.Action, 'file'));
    },
  },
);

export const CONTENT_APPS: RecordTypeFamily = family(
  'Stream, To Do, Kaizala, Places and Universal Print',
  {
    32: 'MicrosoftStream',
    39: 'Kaizala',
    202: 'MicrosoftTodoAudit',
    364: 'PlacesDirectory',
    377: 'UniversalPrintPrintJob',
    427: 'UniversalPrintManagement',
  },
  {
    category: ['file'],
    fields: {
      ResourceTitle: 'file.name:text',
      ResourceUrl: 'url.original:text',
      EntityPath: '?url.original:text',
      EntityType: 'office365.content.entity_type:text',
      EntityId: 'office365.content.entity_id:text',
      PlaceType: 'office365.places.type:text',
      PrinterName: 'office365.print.printer.name:text',
      PrinterId: 'office365.print.printer.id:text',
      DocumentName: '?file.name:text',
      JobId: 'office365.print.job_id:text',
      PageCount: 'office365.print.page_count:number',
      Parameters: 'office365.parameters:pairs',
      ...CHANGE_FIELDS,
    },
  },
);

/** Viva Engage operations on files are file events; messages, groups and network settings are not. */
function mapVivaEngage(record: AuditRecord, doc: EcsDocument): void {
  const operation = asString(record.Operation) ?? '';
  if (record.FileId !== undefined || record.FileName !== undefined || operation.startsWith('File')) {
    put(doc, 'event.category', ['file']);
    put(doc, 'event.type', eventTypeOf(operation, 'file'));
  } else if (/group|user|admin|member/i.test(operation)) {
    put(doc, 'event.category', ['iam']);
    const type = eventTypeOf(operation, 'iam');
    put(doc, 'event.type', [...type, /group/i.test(operation) ? 'group' : 'user']);
  } else if (/message|thread|post|reply/i.test(operation)) {
    put(doc, 'event.category', ['web']);
    put(doc, 'event.type', ['info']);
  }
  if (get(doc, 'user.email') === undefined) put(doc, 'user.email', asString(record.ActorUserId));
  addRelated(doc, 'user', [get(doc, 'user.target.email')]);
}

export const VIVA_ENGAGE: RecordTypeFamily = family(
  'Viva Engage / Yammer (files, messages, groups, network settings, segments, events)',
  { 22: 'Yammer', 374: 'VivaEngageNetworkAssociation', 414: 'VivaEngageSegment', 422: 'VivaEngageEvents' },
  {
    category: ['configuration'],
    fields: {
      FileName: 'file.name:text',
      FileId: 'office365.viva_engage.file_id:text',
      VersionId: 'office365.viva_engage.version_id:text',
      GroupName: 'group.name:text',
      MessageId: 'office365.viva_engage.message_id:text',
      ThreadId: 'office365.viva_engage.thread_id:text',
      MeetingId: 'office365.viva_engage.meeting_id:text',
      ActorYammerUserId: 'office365.viva_engage.actor_id:text',
      TargetUserId: 'user.target.email:text',
      TargetYammerUserId: 'office365.viva_engage.target_id:text',
      TargetObjectId: 'user.target.id:text',
      YammerNetworkId: 'office365.viva_engage.network_id:text',
      DataExportType: 'office365.viva_engage.data_export_type:text',
      IsSoftDelete: 'office365.viva_engage.is_soft_delete:boolean',
      ...CHANGE_FIELDS,
    },
    extra: mapVivaEngage,
  },
);

export const VIVA: RecordTypeFamily = family(
  'Viva Insights, Goals, Learning, Pulse, Glint and Access Management',
  {
    44: 'VivaInsights',
    103: 'PrivacyInsights',
    105: 'MyAnalyticsSettings',
    216: 'VivaGoals',
    251: 'VfamCreatePolicy',
    252: 'VfamUpdatePolicy',
    253: 'VfamDeletePolicy',
    265: 'VivaLearning',
    266: 'VivaLearningAdmin',
    280: 'VivaPulseResponse',
    281: 'VivaPulseOrganizer',
    282: 'VivaPulseAdmin',
    283: 'VivaPulseReport',
    346: 'VivaGlintAdvancedConfiguration',
    347: 'VivaGlintPulseProgram',
    348: 'VivaGlintPulseProgramRespondentRate',
    349: 'VivaGlintQuestion',
    350: 'VivaGlintRole',
    351: 'VivaGlintRubicon',
    352: 'VivaGlintSupportAccess',
    353: 'VivaGlintSystem',
    354: 'VivaGlintUser',
    355: 'VivaGlintUserGroup',
    356: 'VivaGlintFeedbackProgram',
    463: 'VivaGlintAgenticCampaign',
  },
  {
    category: ['configuration'],
    fields: {
      WpaUserRole: 'office365.viva.user_role:text',
      UserRole: '?office365.viva.user_role:text',
      OperationDetails: 'office365.viva.details:pairs',
      ItemDetails: '?office365.viva.details:pairs',
      EventDetails: '?office365.viva.details:pairs',
      Detail: 'office365.viva.description:text',
      EventName: 'office365.viva.event_name:text',
      PulseId: 'office365.viva.pulse_id:text',
      OrganizationName: 'office365.viva.organization.name:text',
      OrganizationOwner: 'office365.viva.organization.owner:text',
      OrganizationAdmins: 'office365.viva.organization.admins:texts',
      ClientUUID: 'office365.viva.glint.client_uuid:text',
      ImportType: 'office365.viva.glint.import_type:text',
      JobName: 'office365.viva.glint.job_name:text',
      FeedBackComponentName: 'office365.viva.glint.feedback_component:text',
      PolicyId: 'office365.viva.policy_id:text',
      UserAgent: 'user_agent.original:text',
      ModifiedFields: 'office365.viva.modified_fields:raw',
      ...CHANGE_FIELDS,
    },
  },
);
