import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asString, nameValueMap } from '../values.ts';
import { mapNetworkTraffic } from './network-traffic.ts';

const LOGON_OPERATIONS = new Set(['UserLoggedIn', 'UserLoginFailed']);

/** AzureActiveDirectory (8): directory changes (users, groups, roles, applications, consents). */
export function mapAzureActiveDirectory(record: AuditRecord, doc: EcsDocument): void {
  const operation = asString(record.Operation) ?? '';
  if (LOGON_OPERATIONS.has(operation)) {
    put(doc, 'event.category', ['authentication']);
    put(doc, 'event.type', ['start']);
    const outcome = operation === 'UserLoggedIn' ? 'success' : 'failure';
    put(doc, 'action.outcome', outcome);
    put(doc, 'event.outcome', outcome);
  } else {
    put(doc, 'event.category', ['iam']);
    put(doc, 'event.type', [operation.startsWith('Update') ? 'change' : 'info']);
  }
  put(doc, 'office365.context.correlation.id', asString(record.InterSystemsId));
  put(doc, 'office365.context.aad_session_id', asString(nameValueMap(record.DeviceProperties).get('SessionId')));
  put(doc, 'office365.context.modified_properties', record.ModifiedProperties);
}

/** AzureActiveDirectoryStsLogon (15): sign-ins (UserLoggedIn / UserLoginFailed). */
export function mapStsLogon(record: AuditRecord, doc: EcsDocument): void {
  mapNetworkTraffic(record, doc);
  mapAzureActiveDirectory(record, doc);
}
