import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asObject, asString, tryParseJson } from '../values.ts';

/** The `Data` field of alert and AIR records: a JSON object encoded as a string. */
export function parseAlertData(value: unknown): Record<string, unknown> | undefined {
  return asObject(value) ?? asObject(tryParseJson(value));
}

const ENDPOINT_DLP_KEYS = ['dprm', 'eop', 'enmd', 'tdmn', 'app', 'ofph', 'dn', 'tfph'] as const;

/** Endpoint DLP details carried in alert Data (policy mode, operation, enforcement, domain, app, paths, device). */
export function mapEndpointDlpData(data: Record<string, unknown>, doc: EcsDocument): void {
  for (const key of ENDPOINT_DLP_KEYS) put(doc, `office365.${key}`, asString(data[key]));
}
