import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { get, put } from '../document.ts';
import { asArray, asNumber, asObject, asString, pushUnique } from '../values.ts';
import { mapDlp } from './dlp.ts';
import { addRelated, family, type RecordTypeFamily, textList } from './family.ts';
import { CHANGE_FIELDS } from './security-operations.ts';

/**
 * A URL → url.original, a path ("C:\\share\\a.docx", "/x/y.pdf") → file.path, and file.name from the last segment
 * when it has an extension. Other object ids (a label GUID, a Teams thread id) are left in office365.audit.object_id.
 */
function mapItemLocation(location: string | undefined, doc: EcsDocument): void {
  if (location === undefined || location === '') return;
  if (/^https?:\/\//i.test(location)) put(doc, 'url.original', location);
  else if (/[\\/]/.test(location)) put(doc, 'file.path', location);
  else return;
  if (get(doc, 'file.name') !== undefined) return;
  const clean = location.replace(/[?#].*$/, '');
  const name = clean.slice(Math.max(clean.lastIndexOf('\\'), clean.lastIndexOf('/')) + 1);
  put(doc, 'file.name', name.includes('.') ? name : undefined);
}

/** Email-borne labels (Sender, Receivers, ItemName = subject) → email.*; files otherwise. */
function mapLabelTarget(record: AuditRecord, doc: EcsDocument): void {
  const receivers = textList(record.Receivers);
  const sender = asString(record.Sender);
  if (sender !== undefined || receivers.length > 0) {
    put(doc, 'event.category', ['email']);
    put(doc, 'event.type', ['info']);
    put(doc, 'email.from.address', sender !== undefined && sender !== '' ? [sender] : undefined);
    put(doc, 'email.to.address', receivers);
    put(doc, 'email.subject', asString(record.ItemName));
    return;
  }
  put(doc, 'file.name', get(doc, 'file.name') ?? asString(record.ItemName));
  mapItemLocation(asString(record.ObjectId), doc);
  const operation = asString(record.Operation) ?? '';
  // Applying, changing or removing a label changes the file; opening a labelled file reads it.
  if (/deleted/i.test(operation)) put(doc, 'event.type', ['deletion']);
  else if (/open|read|access|view/i.test(operation)) put(doc, 'event.type', ['access']);
  else if (/label|protect|rename/i.test(operation)) put(doc, 'event.type', ['change']);
  addRelated(doc, 'hosts', [get(doc, 'host.name')]);
  const types: string[] = [];
  for (const item of asArray(record.SensitiveInfoTypeData)) {
    const info = asObject(item);
    pushUnique(types, asString(info?.SensitiveInfoTypeName) ?? asString(info?.SensitiveInfoTypeId));
  }
  put(doc, 'office365.label.sensitive_information_types', types);
}

export const SENSITIVITY_LABELS: RecordTypeFamily = family(
  'Sensitivity labels and Information Protection (auto-labeling, labelled files, AIP scanner/clients, label analytics)',
  {
    48: 'LabelContentExplorer',
    70: 'OfficeNative',
    71: 'MipAutoLabelSharePointItem',
    72: 'MipAutoLabelSharePointPolicyLocation',
    75: 'MipAutoLabelExchangeItem',
    82: 'SensitivityLabelPolicyMatch',
    83: 'SensitivityLabelAction',
    84: 'SensitivityLabeledFileAction',
    93: 'AipDiscover',
    94: 'AipSensitivityLabelAction',
    95: 'AipProtectionAction',
    96: 'AipFileDeleted',
    97: 'AipHeartBeat',
    157: 'MipLabelAnalyticsAuditRecord',
    206: 'MicrosoftTeamsSensitivityLabelAction',
    231: 'PlannerRosterSensitivityLabel',
    378: 'VivaAmplifyOutlookSensitivityLabel',
  },
  {
    category: ['file'],
    type: ['info'],
    fields: {
      'SensitivityLabelEventData.SensitivityLabelId': 'office365.label.id:text',
      'SensitivityLabelEventData.OldSensitivityLabelId': 'office365.label.old_id:text',
      'SensitivityLabelEventData.LabelEventType': 'office365.label.event_type:number',
      'SensitivityLabelEventData.ActionSource': 'office365.label.action_source:raw',
      'SensitivityLabelEventData.ActionSourceDetail': 'office365.label.action_source_detail:raw',
      'SensitivityLabelEventData.JustificationText': 'office365.label.justification:text',
      SensitivityLabelId: '?office365.label.id:text',
      LabelId: '?office365.label.id:text',
      OldSensitivityLabelId: '?office365.label.old_id:text',
      LabelName: 'office365.label.name:text',
      LabelAction: 'office365.label.action:text',
      ApplicationMode: 'office365.label.application_mode:text',
      AssignmentMethod: 'office365.label.assignment_method:raw',
      PolicyName: 'office365.label.policy_name:text',
      'ProtectionEventData.ProtectionType': 'office365.label.protection.type:text',
      'ProtectionEventData.TemplateId': 'office365.label.protection.template_id:text',
      'ProtectionEventData.IsProtected': 'office365.label.protection.is_protected:boolean',
      'ProtectionEventData.IsProtectedBefore': 'office365.label.protection.was_protected:boolean',
      'ProtectionEventData.ProtectionOwner': 'office365.label.protection.owner:text',
      ProtectionType: '?office365.label.protection.type:text',
      TemplateId: '?office365.label.protection.template_id:text',
      IsProtected: '?office365.label.protection.is_protected:boolean',
      ProtectionOwner: '?office365.label.protection.owner:text',
      'Common.DeviceName': 'host.name:text',
      DeviceName: '?host.name:text',
      'Common.ProcessName': 'process.name:text',
      ProcessName: '?process.name:text',
      'Common.ApplicationName': 'office365.label.application.name:text',
      ApplicationName: '?office365.label.application.name:text',
      'Common.ApplicationId': 'office365.label.application.id:text',
      ApplicationId: '?office365.label.application.id:text',
      'Common.Location': 'office365.label.location:text',
      Location: '?office365.label.location:text',
      'Common.ProductVersion': 'office365.label.application.version:text',
      DataState: 'office365.label.data_state:text',
      SiteUrl: 'office365.audit.site:text',
      SourceFileName: 'file.name:text',
    },
    extra: mapLabelTarget,
  },
);

export const RETENTION: RecordTypeFamily = family(
  'Retention and records management (retention labels and policies on mail, files, Teams)',
  {
    38: 'DataGovernance',
    285: 'ComplianceDLMExchange',
    286: 'ComplianceDLMSharePoint',
    293: 'MicrosoftTeamsRetentionLabelAction',
  },
  {
    category: ['file'],
    fields: {
      ComplianceTag: 'office365.retention.label:text',
      RetentionLabel: '?office365.retention.label:text',
      LabelName: '?office365.retention.label:text',
      PolicyId: 'office365.retention.policy.id:text',
      PolicyName: 'office365.retention.policy.name:text',
      RuleName: 'office365.retention.rule_name:text',
      IsRecord: 'office365.retention.is_record:boolean',
      EventType: 'office365.retention.event_type:text',
      SourceFileName: 'file.name:text',
      SiteUrl: 'office365.audit.site:text',
      'ExchangeMetaData.Subject': 'email.subject:text',
      'ExchangeMetaData.From': 'email.from.address:texts',
      'ExchangeMetaData.To': 'email.to.address:texts',
      'ExchangeMetaData.MessageID': 'email.message_id:message_id',
      TeamName: 'office365.teams.team.name:text',
      ...CHANGE_FIELDS,
    },
    extra: (record, doc) => {
      if (get(doc, 'email.subject') !== undefined || get(doc, 'email.from.address') !== undefined) {
        put(doc, 'event.category', ['email']);
        put(doc, 'event.type', ['info']);
      } else mapItemLocation(asString(record.ObjectId), doc);
    },
  },
);

const CLASSIFICATION_RESULTS = [undefined, 'Success', 'CompletedWithError', 'Failed'];

/** DLP variants share the DLP mapping; on-demand classification adds the scanned document and what it contains. */
function mapClassification(record: AuditRecord, doc: EcsDocument): void {
  mapDlp(record, doc);
  const document = asObject(record.DocumentMetaData);
  if (document !== undefined) {
    put(doc, 'event.category', ['file']);
    put(doc, 'file.name', asString(document.FileName));
    put(doc, 'url.original', asString(document.FilePathUrl));
    put(doc, 'file.owner', asString(document.FileOwnerEmail) ?? asString(document.FileOwner));
    put(doc, 'office365.audit.site', asString(document.SiteCollectionUrl));
  }
  if (get(doc, 'office365.dlp.sensitive_information_types') === undefined) {
    const types: string[] = [];
    for (const item of [...asArray(record.ClassificationInfo), ...asArray(record.SensitiveInfoTypeData)]) {
      const info = asObject(item);
      pushUnique(types, asString(info?.SensitiveInformationTypeName) ?? asString(info?.SensitiveInfoTypeName));
    }
    put(doc, 'office365.dlp.sensitive_information_types', types);
  }
  const result = asNumber(record.ClassificationResult);
  if (result !== undefined) {
    put(doc, 'office365.dlp.classification_result', CLASSIFICATION_RESULTS[result]);
    if (result === 3) {
      put(doc, 'action.outcome', 'failure');
      put(doc, 'event.outcome', 'failure');
    }
  }
  put(doc, 'rule.id', get(doc, 'rule.id') ?? asString(record.PolicyId));
  if (get(doc, 'event.category') === undefined) put(doc, 'event.category', ['file']);
}

export const DLP_VARIANTS: RecordTypeFamily = {
  title: 'DLP and classification variants (SharePoint/Exchange classification, on-premises scanners, on-demand classification)',
  recordTypes: {
    33: 'ComplianceDLPSharePointClassification',
    99: 'OnPremisesFileShareScannerDlp',
    100: 'OnPremisesSharePointScannerDlp',
    107: 'ComplianceDLPExchangeClassification',
    291: 'SensitiveInfoDiscovered',
    361: 'DataScanClassification',
  },
  map: mapClassification,
};

export const CLASSIFIER_ADMINISTRATION: RecordTypeFamily = family(
  'Purview classifiers, connectors, posture agent and Priva administration',
  {
    109: 'MipExactDataMatch',
    148: 'ComplianceConnector',
    164: 'ScorePlatformGenericAuditRecord',
    329: 'PrivaPrivacyConsentOperation',
    330: 'PrivaPrivacyAssessmentOperation',
    331: 'DataCatalogAccessRequests',
    358: 'TrainableClassifier',
    385: 'P4AIAssessmentFabricScannerRecord',
    430: 'PurviewPostureAgent',
  },
  {
    category: ['configuration'],
    fields: {
      DataStoreName: 'office365.purview.data_store:text',
      SchemaName: 'office365.purview.schema_name:text',
      ConnectorName: 'office365.purview.connector.name:text',
      ConnectorType: 'office365.purview.connector.type:text',
      ItemCount: 'office365.purview.item_count:number',
      DiscoveryId: 'office365.purview.discovery_id:text',
      OldLabel: 'office365.label.old_name:text',
      NewLabel: 'office365.label.name:text',
      FileName: 'file.name:text',
      ...CHANGE_FIELDS,
    },
  },
);
