import type { AuditRecord } from '../core/audit-record.ts';
import type { EcsDocument } from '../core/processed-event.ts';
import { parseClientIp } from './client-ip.ts';
import { put } from './document.ts';
import { normalizeTimestamp } from './timestamp.ts';
import { asArray, asBoolean, asNumber, asObject, asString, setOwn, tryParseJson } from './values.ts';

const USER_TYPES = [
  'Regular',
  'Reserved',
  'Admin',
  'DcAdmin',
  'System',
  'Application',
  'ServicePrincipal',
  'CustomPolicy',
  'SystemPolicy',
  'PartnerTechnician',
  'Guest',
];
const SCOPES = ['Online', 'Onprem'];
const GUEST_PREFIX = 'urn:spo:guest#';
/** RecordTypes whose UserId/UserKey name a system account rather than the acting user (SCC alerts). */
const NO_ACTOR_USER = new Set([40]);

const SUCCESS_STATUSES = new Set(['succeeded', 'success', 'successful', 'partiallysucceeded', 'true']);
const FAILURE_STATUSES = new Set(['failed', 'failure', 'false', 'critical']);

/** ResultStatus → ECS outcome; unknown or missing statuses (e.g. SCC alert "Active") count as success. */
export function outcomeOf(resultStatus: unknown): 'success' | 'failure' {
  if (typeof resultStatus !== 'string') return 'success';
  const lower = resultStatus.toLowerCase();
  if (FAILURE_STATUSES.has(lower)) return 'failure';
  if (SUCCESS_STATUSES.has(lower)) return 'success';
  return 'success';
}

/** Operation without trailing dots ("Update user." → "Update user"). */
export function actionName(operation: unknown): string | undefined {
  if (typeof operation !== 'string') return undefined;
  let end = operation.length;
  while (end > 0 && operation.charCodeAt(end - 1) === 46) end--;
  return operation.slice(0, end);
}

/** Fields every record has (common schema), mapped the same way for every RecordType. */
export function mapCommon(record: AuditRecord, doc: EcsDocument): void {
  const recordType = asNumber(record.RecordType);
  put(doc, '@timestamp', normalizeTimestamp(record.CreationTime));
  put(doc, 'service.name', asString(record.Workload));
  put(doc, 'event.code', recordType !== undefined ? String(recordType) : undefined);
  put(doc, 'action.id', recordType);
  put(doc, 'event.reason', asString(record.ActionName));
  put(doc, 'organization.id', asString(record.OrganizationId));
  put(doc, 'user.target.name', asString(record.TargetUserOrGroupName));

  const name = actionName(record.Operation);
  put(doc, 'event.action', name);
  put(doc, 'action.name', name);
  if ('UserId' in record) put(doc, 'action.target', 'user');
  put(doc, 'action.outcome', outcomeOf(record.ResultStatus));

  if (recordType === undefined || !NO_ACTOR_USER.has(recordType)) mapActor(record, doc);
  mapClientAddress(record, doc);
  mapOffice365Common(record, doc, recordType);
  mapAppAccessContext(record, doc);
}

function mapActor(record: AuditRecord, doc: EcsDocument): void {
  let userId = asString(record.UserId);
  if (userId?.startsWith(GUEST_PREFIX)) {
    userId = userId.slice(GUEST_PREFIX.length);
    put(doc, 'office365.user_type.is_external', true);
  }
  put(doc, 'user.name', userId);
  if (userId?.includes('@')) put(doc, 'user.email', userId);
  put(doc, 'user.id', asString(record.UserKey));
}

function mapClientAddress(record: AuditRecord, doc: EcsDocument): void {
  const raw = record.ClientIP === undefined || record.ClientIP === null ? record.ClientIPAddress : record.ClientIP;
  const client = parseClientIp(raw);
  if (client === undefined) return;
  put(doc, 'source.ip', client.ip);
  put(doc, 'source.port', client.port);
  put(doc, 'source.address', client.address);
}

function mapOffice365Common(record: AuditRecord, doc: EcsDocument, recordType: number | undefined): void {
  put(doc, 'office365.record_id', asString(record.Id));
  put(doc, 'office365.record_type', recordType);
  put(doc, 'office365.result_status', asString(record.ResultStatus));
  const userType = asNumber(record.UserType);
  put(doc, 'office365.user_type.code', userType);
  if (userType !== undefined) put(doc, 'office365.user_type.name', USER_TYPES[userType]);
  const scope = asNumber(record.Scope);
  put(doc, 'office365.scope.code', scope);
  if (scope !== undefined) put(doc, 'office365.scope.name', SCOPES[scope]);
  put(doc, 'office365.audit.object_id', asString(record.ObjectId));
  put(doc, 'office365.device.id', asString(record.DeviceId));
  put(doc, 'office365.device.is_managed', asBoolean(record.IsManagedDevice));
  put(doc, 'office365.virus_info', asString(record.VirusInfo));
  put(doc, 'office365.virus_vendor', asString(record.VirusVendor));
  put(doc, 'office365.context.authentication_type', asString(record.AuthenticationType));
  put(doc, 'office365.context.aad_session_id', asString(record.SessionId));
  if ('ClientAppId' in record) put(doc, 'office365.context.client.id', asString(record.ClientAppId) || asString(record.AppId));

  for (const target of asArray(record.Target)) {
    const t = asObject(target);
    if (t !== undefined && t.Type === 1 && typeof t.ID === 'string') {
      put(doc, 'office365.target.displayName', t.ID);
      break;
    }
  }
  put(doc, 'office365.operation.properties', operationProperties(record.OperationProperties));
  const folders: string[] = [];
  for (const folder of asArray(record.Folders)) {
    const path = asString(asObject(folder)?.Path);
    if (path !== undefined) folders.push(path);
  }
  put(doc, 'office365.folders.paths', folders);
  mapModifiedApplication(record, doc);
}

/** OperationProperties [{Name, Value}] → {Name: JSON value or string}; RuleCondition is always kept as text. */
function operationProperties(list: unknown): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const item of asArray(list)) {
    const entry = asObject(item);
    const name = asString(entry?.Name);
    const value = entry?.Value;
    if (name === undefined || value === undefined || value === null || value === '') continue;
    let parsed: unknown = value;
    if (typeof value === 'string' && name !== 'RuleCondition') {
      const json = tryParseJson(value);
      if (json !== undefined && json !== null) parsed = json;
    }
    setOwn((out ??= {}), name, parsed);
  }
  return out;
}

/** ModifiedProperties AppId + DisplayName (application consent/creation records) → office365.application.*. */
function mapModifiedApplication(record: AuditRecord, doc: EcsDocument): void {
  const props = asArray(record.ModifiedProperties);
  if (props.length === 0) return;
  let id: unknown;
  let name: unknown;
  for (const item of props) {
    const entry = asObject(item);
    if (entry === undefined) continue;
    if (entry.Name === 'AppId') id = entry.NewValue;
    else if (entry.Name === 'DisplayName') name = entry.NewValue;
  }
  if (id === undefined || name === undefined) return;
  put(doc, 'office365.application.id', firstJsonValue(id));
  put(doc, 'office365.application.name', firstJsonValue(name));
}

/** "[\r\n  \"value\"\r\n]" → "value"; plain strings are returned as they are. */
function firstJsonValue(value: unknown): string | undefined {
  const json = tryParseJson(value);
  if (Array.isArray(json)) return asString(json[0]);
  if (typeof json === 'string') return json;
  return asString(value);
}

function mapAppAccessContext(record: AuditRecord, doc: EcsDocument): void {
  const ctx = asObject(record.AppAccessContext);
  if (ctx === undefined) return;
  put(doc, 'office365.context.aad_session_id', asString(ctx.AADSessionId));
  put(doc, 'office365.context.api_id', asString(ctx.APIId));
  put(doc, 'office365.context.client.id', asString(ctx.ClientAppId));
  put(doc, 'office365.context.client.name', asString(ctx.ClientAppName));
  put(doc, 'office365.context.correlation.id', asString(ctx.CorrelationId));
  put(doc, 'azuread.properties.uniqueTokenIdentifier', asString(ctx.UniqueTokenId));
}
