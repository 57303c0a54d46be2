import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asString } from '../values.ts';
import { family, type RecordTypeFamily } from './family.ts';
import { CHANGE_FIELDS } from './security-operations.ts';

export const BACKUP: RecordTypeFamily = family(
  'Microsoft 365 Backup (policies, restore tasks, restored and backed-up items, browse sessions)',
  {
    298: 'BackupPolicy',
    299: 'RestoreTask',
    300: 'RestoreItem',
    301: 'BackupItem',
    431: 'GranularBrowseTask',
  },
  {
    category: ['configuration'],
    fields: {
      PolicyID: 'office365.backup.policy_id:text',
      TaskID: 'office365.backup.task_id:text',
      SessionId: 'office365.backup.session_id:text',
      ServiceType: 'office365.backup.service_type:text',
      BackupItemID: 'office365.backup.item.id:text',
      BackupItemId: '?office365.backup.item.id:text',
      ItemID: '?office365.backup.item.id:text',
      BackupItemType: 'office365.backup.item.type:text',
      ProtectionUnitID: 'office365.backup.protection_unit_id:text',
      RestoreTime: 'office365.backup.restore.point:date',
      RestoreLocationType: 'office365.backup.restore.location_type:text',
      RestoreLocation: 'office365.backup.restore.location:text',
      SuccessStatus: 'office365.backup.success_status:text',
      EditMethodology: 'office365.backup.method:text',
      CreationMethodology: '?office365.backup.method:text',
      CountOfArtifactsBeingAdded: 'office365.backup.artifacts_added:number',
      CountOfArtifactsBeingRemoved: 'office365.backup.artifacts_removed:number',
    },
    extra: (record: AuditRecord, doc: EcsDocument) => {
      if (/^fail/i.test(asString(record.SuccessStatus) ?? '')) put(doc, 'action.outcome', 'failure');
    },
  },
);

export const SENTINEL_DATA_LAKE: RecordTypeFamily = family(
  'Microsoft Sentinel data lake, jobs, KQL, notebooks, AI tools and graph',
  {
    365: 'SentinelNotebookOnLake',
    366: 'SentinelJob',
    367: 'SentinelKQLOnLake',
    368: 'SentinelLakeOnboarding',
    369: 'SentinelLakeDataOnboarding',
    370: 'SentinelAITool',
    371: 'SentinelGraph',
  },
  {
    category: ['database'],
    type: ['access'],
    fields: {
      EventTime: 'event.start:date',
      Interface: 'office365.sentinel.interface:text',
      DatabaseName: 'office365.sentinel.database:text',
      TableName: 'office365.sentinel.table:text',
      DatabasesRead: 'office365.sentinel.databases_read:texts',
      DatabasesWrite: 'office365.sentinel.databases_written:texts',
      TablesRead: 'office365.sentinel.tables_read:texts',
      TablesWrite: 'office365.sentinel.tables_written:texts',
      Query: 'office365.sentinel.query:text',
      QueryText: '?office365.sentinel.query:text',
      'Job ID': 'office365.sentinel.job.id:text',
      'Job Name': 'office365.sentinel.job.name:text',
      'Job Type': 'office365.sentinel.job.type:text',
      JobRunStatus: 'office365.sentinel.job.status:text',
      Compute: 'office365.sentinel.compute:text',
      KernalId: 'office365.sentinel.notebook.kernel_id:text',
      SessionDurationInSecs: 'office365.sentinel.session_duration_seconds:number',
    },
    extra: (record, doc) => {
      if (/^fail/i.test(asString(record.JobRunStatus) ?? '')) put(doc, 'action.outcome', 'failure');
    },
  },
);

export const WEB_CONTENT_FILTERING: RecordTypeFamily = family(
  'Microsoft Edge web content filtering',
  { 359: 'WebContentFiltering' },
  {
    category: ['web'],
    type: ['access'],
    fields: {
      URLPath: 'url.original:text',
      DomainURL: 'office365.web_content_filtering.domain:text',
      Category: 'rule.category:text',
    },
  },
);

export const TENANT_ADMINISTRATION: RecordTypeFamily = family(
  'Tenant administration: reports, people settings, cloud policies, Cloud Update, lockbox, restricted mode, information barriers',
  {
    53: 'InformationBarrierPolicyApplication',
    69: 'CustomerKeyServiceEncryption',
    147: 'CoreReportingSettings',
    257: 'Windows365CustomerLockbox',
    269: 'PeopleAdminSettings',
    288: 'CloudPolicyService',
    337: 'CloudUpdateProfileConfig',
    338: 'CloudUpdateTenantConfig',
    339: 'CloudUpdateDeviceConfig',
    382: 'OfficeRestrictedModeAction',
  },
  {
    category: ['configuration'],
    fields: {
      ConfigId: 'office365.policy.id:text',
      ConfigName: 'office365.policy.name:text',
      PolicyName: '?office365.policy.name:text',
      Description: 'office365.policy.description:text',
      Priority: 'office365.policy.priority:number',
      ProfileName: '?office365.policy.name:text',
      DeviceName: 'host.name:text',
      Parameters: 'office365.parameters:pairs',
      ...CHANGE_FIELDS,
    },
  },
);
