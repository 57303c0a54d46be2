import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { get, put } from '../document.ts';
import { asArray, asBoolean, asObject, asString, pushUnique } from '../values.ts';
import { addRelated, family, type RecordTypeFamily, textList } from './family.ts';
import { CHANGE_FIELDS } from './security-operations.ts';

/** Dataverse / Dynamics 365 messages: writes change the database, reads and exports access it. */
function mapDynamicsMessage(record: AuditRecord, doc: EcsDocument): void {
  const message = asString(record.Message) ?? asString(record.Operation) ?? '';
  if (/create|update|delete|assign|merge|upsert|associate|grant|revoke|share/i.test(message)) put(doc, 'event.type', ['change']);
  else if (/retrieve|export|query|fetch|read|download|search/i.test(message)) put(doc, 'event.type', ['access']);
}

export const DYNAMICS: RecordTypeFamily = family(
  'Dynamics 365 and Dataverse entity operations (model-driven apps, Business Central)',
  { 21: 'CRM', 278: 'Dynamics365BusinessCentral' },
  {
    category: ['database'],
    type: ['info'],
    fields: {
      CrmOrganizationUniqueName: 'office365.dynamics.organization:text',
      InstanceUrl: 'office365.dynamics.instance_url:text',
      ItemUrl: 'url.original:text',
      ItemType: 'office365.dynamics.item_type:text',
      EntityId: 'office365.dynamics.entity.id:text',
      EntityName: 'office365.dynamics.entity.name:text',
      Message: 'office365.dynamics.message:text',
      Query: 'office365.dynamics.query:text',
      PrimaryFieldValue: 'office365.dynamics.primary_field_value:text',
      Fields: 'office365.dynamics.fields:pairs',
      UserAgent: 'office365.dynamics.user_agent:text',
      CompanyName: 'office365.dynamics.company:text',
      EnvironmentName: 'office365.power_platform.environment:text',
    },
    extra: mapDynamicsMessage,
  },
);

export const POWER_PLATFORM: RecordTypeFamily = family(
  'Power Automate, Power Apps, Power Pages, connectors and Power Platform administration / DLP policies',
  {
    30: 'MicrosoftFlow',
    45: 'PowerAppsApp',
    46: 'PowerAppsPlan',
    79: 'PowerAppsResource',
    186: 'PowerPagesSite',
    187: 'PowerPlatformAdminDlp',
    256: 'PowerPlatformAdministratorActivity',
  },
  {
    category: ['configuration'],
    fields: {
      EnvironmentName: 'office365.power_platform.environment:text',
      'PropertyCollection.EnvironmentName': '?office365.power_platform.environment:text',
      AppName: 'office365.power_platform.app.name:text',
      AppId: 'office365.power_platform.app.id:text',
      FlowConnectorNames: 'office365.power_platform.flow.connectors:text',
      FlowDetailsUrl: 'url.original:text',
      LicenseDisplayName: 'office365.power_platform.license:text',
      SharingPermission: 'office365.power_platform.sharing_permission:text',
      UserTypeInitiated: 'office365.power_platform.user_type_initiated:raw',
      RecipientUPN: 'user.target.name:text',
      PolicyName: 'office365.power_platform.policy.name:text',
      PolicyId: 'office365.power_platform.policy.id:text',
      ConnectorName: 'office365.power_platform.connector:text',
      SiteUrl: '?url.original:text',
      AdditionalInfo: 'office365.power_platform.additional_info:json',
      ...CHANGE_FIELDS,
    },
    extra: (_record, doc) => {
      const info = get(doc, 'office365.power_platform.additional_info') as Record<string, unknown> | undefined;
      put(
        doc,
        'office365.power_platform.environment',
        get(doc, 'office365.power_platform.environment') ?? asString(info?.environmentName),
      );
      put(doc, 'office365.power_platform.app.name', get(doc, 'office365.power_platform.app.name') ?? asString(info?.appName));
      addRelated(doc, 'user', [get(doc, 'user.target.name')]);
    },
  },
);

/** Sharing recipients and group members → office365.power_bi.* and related.user; IsSuccess false → failure. */
function mapPowerBiDetails(record: AuditRecord, doc: EcsDocument): void {
  const recipients: string[] = [];
  for (const item of asArray(record.SharingInformation)) pushUnique(recipients, asString(asObject(item)?.RecipientEmail));
  put(doc, 'office365.power_bi.shared_with', recipients);
  const members: string[] = [];
  for (const item of asArray(record.MembershipInformation)) pushUnique(members, asString(asObject(item)?.MemberEmail));
  put(doc, 'office365.power_bi.members', members);
  addRelated(doc, 'user', [...recipients, ...members]);
  if (asBoolean(record.IsSuccess) === false) put(doc, 'action.outcome', 'failure');
  const artifact = asString(record.ReportName) ?? asString(record.DashboardName) ?? asString(record.ArtifactName);
  put(doc, 'file.name', artifact ?? asString(record.DatasetName));
}

export const POWER_BI_AND_FABRIC: RecordTypeFamily = family(
  'Power BI and Microsoft Fabric (reports, dashboards, datasets, workspaces, exports, sharing)',
  { 20: 'PowerBIAudit', 357: 'FabricAudit' },
  {
    category: ['file'],
    fields: {
      UserAgent: 'user_agent.original:text',
      Activity: 'office365.power_bi.activity:text',
      RequestId: 'office365.power_bi.request_id:text',
      WorkSpaceName: 'office365.power_bi.workspace.name:text',
      WorkspaceName: '?office365.power_bi.workspace.name:text',
      WorkspaceId: 'office365.power_bi.workspace.id:text',
      ReportName: 'office365.power_bi.report.name:text',
      ReportId: 'office365.power_bi.report.id:text',
      ReportType: 'office365.power_bi.report.type:text',
      DashboardName: 'office365.power_bi.dashboard.name:text',
      DashboardId: 'office365.power_bi.dashboard.id:text',
      DatasetName: 'office365.power_bi.dataset.name:text',
      DatasetId: 'office365.power_bi.dataset.id:text',
      AppName: 'office365.power_bi.app.name:text',
      CapacityName: 'office365.power_bi.capacity.name:text',
      CapacityId: 'office365.power_bi.capacity.id:text',
      ArtifactId: 'office365.power_bi.artifact.id:text',
      ArtifactName: 'office365.power_bi.artifact.name:text',
      ArtifactKind: 'office365.power_bi.artifact.kind:text',
      ItemName: 'office365.power_bi.item_name:text',
      DistributionMethod: 'office365.power_bi.distribution_method:text',
      ConsumptionMethod: 'office365.power_bi.consumption_method:text',
      DataClassification: 'office365.power_bi.data_classification:text',
      OrgAppPermission: 'office365.power_bi.org_app_permission:text',
      SwitchState: 'office365.power_bi.switch_state:text',
      ExportedArtifactInfo: 'office365.power_bi.exported_artifact:raw',
      SensitivityLabelId: 'office365.label.id:text',
      IsSuccess: 'office365.power_bi.is_success:boolean',
    },
    extra: mapPowerBiDetails,
  },
);

function failedStatus(record: AuditRecord, doc: EcsDocument): void {
  if (/^fail/i.test(asString(record.Status) ?? '')) put(doc, 'action.outcome', 'failure');
}

/** The Graph Data Connect extraction fields, top level or nested under MicrosoftGraphDataConnectOperation. */
export const GRAPH_DATA_CONNECT_EXTRACTIONS: RecordTypeFamily = family(
  'Microsoft Graph Data Connect extractions and SystemSync data exports / shares',
  { 174: 'DataShareOperation', 181: 'EduDataLakeDownloadOperation', 183: 'MicrosoftGraphDataConnectOperation' },
  {
    category: ['database'],
    type: ['access'],
    fields: {
      ApplicationId: 'office365.graph_data_connect.application.id:text',
      ApplicationName: 'office365.graph_data_connect.application.name:text',
      PipelineName: 'office365.graph_data_connect.pipeline.name:text',
      PipelineRunId: 'office365.graph_data_connect.pipeline.run_id:text',
      DatasetName: 'office365.graph_data_connect.dataset.name:text',
      DatasetColumns: 'office365.graph_data_connect.dataset.columns:text',
      ScopeList: 'office365.graph_data_connect.scope:text',
      RowCount: 'office365.graph_data_connect.row_count:number',
      Status: 'office365.graph_data_connect.status:text',
      Reason: 'event.reason:text',
      RunStartTime: 'event.start:date',
      RunEndTime: 'event.end:date',
      NameOfDownloadedZipFile: 'file.name:text',
      'Invitation.ShareName': 'office365.graph_data_connect.share.name:text',
      'Invitation.InviteeTenantId': 'office365.graph_data_connect.share.invitee_tenant_id:text',
      'Invitation.Invitees': 'office365.graph_data_connect.share.invitees:texts',
    },
    extra: failedStatus,
  },
);

export const GRAPH_DATA_CONNECT_CONSENTS: RecordTypeFamily = family(
  'Microsoft Graph Data Connect application consents',
  { 217: 'MicrosoftGraphDataConnectConsent' },
  {
    category: ['configuration'],
    type: ['change'],
    fields: {
      ApplicationId: 'office365.graph_data_connect.application.id:text',
      ApplicationVersion: 'office365.graph_data_connect.application.version:text',
      AppRegistrationTenantId: 'office365.graph_data_connect.application.tenant_id:text',
      Approver: 'office365.graph_data_connect.consent.approver:text',
      State: 'office365.graph_data_connect.consent.state:text',
      Reason: 'event.reason:text',
      DestinationSinks: 'office365.graph_data_connect.consent.destination_sinks:text',
      DestinationTenantId: 'office365.graph_data_connect.consent.destination_tenant_id:text',
      ApprovalExpiryDateInUTC: 'office365.graph_data_connect.consent.expires:date',
    },
    extra: (record, doc) => {
      const datasets: string[] = [];
      for (const item of asArray(record.Datasets)) pushUnique(datasets, asString(asObject(item)?.DatasetName));
      put(doc, 'office365.graph_data_connect.consent.datasets', datasets);
      addRelated(doc, 'user', textList(record.Approver));
    },
  },
);
