import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asBoolean, asNumber, asString, nameValueMap } from '../values.ts';

/** "<Null>" placeholders in DeviceProperties / ExtendedProperties mean "no value". */
function value(map: Map<string, unknown>, name: string): string | undefined {
  const v = asString(map.get(name));
  return v === undefined || v === '<Null>' || v === '<null>' ? undefined : v;
}

/**
 * Shared by STS logons (15) and Teams (25): the client side of a connection — device, browser, agent,
 * authentication details and logon errors.
 */
export function mapNetworkTraffic(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'action.target', 'network-traffic');
  put(doc, 'event.category', ['network']);
  put(doc, 'event.type', ['info']);
  put(doc, 'office365.logon_error', asString(record.LogonError));
  put(doc, 'office365.error_number', asNumber(record.ErrorNumber ?? record.ErrorCode));
  put(doc, 'office365.context.client.id', asString(record.ApplicationId));

  const device = nameValueMap(record.DeviceProperties);
  if (device.size > 0) {
    put(doc, 'host.os.full', value(device, 'OS'));
    put(doc, 'host.name', value(device, 'DisplayName'));
    put(doc, 'office365.device.id', value(device, 'Id'));
    put(doc, 'office365.device.is_compliant', asBoolean(value(device, 'IsCompliant')));
    put(doc, 'office365.device.is_compliant_and_managed', asBoolean(value(device, 'IsCompliantAndManaged')));
    put(doc, 'office365.device.trust_type', asNumber(value(device, 'TrustType')));
    put(doc, 'office365.device.browser_type', value(device, 'BrowserType'));
    put(doc, 'office365.context.aad_session_id', value(device, 'SessionId'));
  }
  const extended = nameValueMap(record.ExtendedProperties);
  if (extended.size > 0) {
    put(doc, 'user_agent.original', value(extended, 'UserAgent'));
    put(doc, 'office365.auth.user_authentication_method', asNumber(value(extended, 'UserAuthenticationMethod')));
    put(doc, 'office365.auth.request_type', value(extended, 'RequestType'));
    put(doc, 'office365.auth.result_status_detail', value(extended, 'ResultStatusDetail'));
    put(doc, 'office365.auth.keep_me_signed_in', asBoolean(value(extended, 'KeepMeSignedIn')));
  }
}
