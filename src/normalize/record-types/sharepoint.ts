import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asNumber, asString } from '../values.ts';

/** SharePoint (4): site-level operations (sync client allowed, page viewed…). */
export function mapSharePoint(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.category', ['file']);
  put(doc, 'event.type', ['access']);
  put(doc, 'office365.audit.site', asString(record.Site));
  put(doc, 'office365.audit.event_source', asString(record.EventSource));
  put(doc, 'office365.audit.item_type', asString(record.ItemType));
  put(doc, 'office365.audit.platform', asString(record.Platform));
  put(doc, 'user_agent.original', asString(record.UserAgent));
}

const ACTION_PROPERTY_KEYS = ['SourceFileName', 'SourceRelativeUrl', 'SiteUrl', 'UserAgent'] as const;

/**
 * The file operation's own properties, as the reference lists them: every one the record carries as text,
 * empty strings included (only the top-level empty values are dropped by the reference, not these).
 */
function actionProperties(record: AuditRecord): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const key of ACTION_PROPERTY_KEYS) {
    const value = asString(record[key]);
    if (value !== undefined) (out ??= {})[key] = value;
  }
  return out;
}

/** SharePointFileOperation (6) and SharePointSharingOperation (14), for SharePoint and OneDrive. */
export function mapSharePointFile(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.category', ['file']);
  put(doc, 'event.type', ['info']);
  put(doc, 'file.name', asString(record.SourceFileName));
  put(doc, 'file.directory', asString(record.SourceRelativeUrl));
  put(doc, 'file.extension', asString(record.SourceFileExtension));
  put(doc, 'file.size', asNumber(record.FileSizeBytes));
  // FileMalwareDetected records name the hashes MD5Hash / SHA256Hash.
  put(doc, 'file.hash.md5', asString(record.MD5) || asString(record.MD5Hash));
  put(doc, 'file.hash.sha256', asString(record.SHA256) || asString(record.SHA256Hash));
  put(doc, 'user_agent.original', asString(record.UserAgent));
  put(doc, 'office365.audit.item_type', asString(record.ItemType));
  const objectId = asString(record.ObjectId);
  put(doc, 'url.full', objectId || asString(record.SiteUrl));
  put(doc, 'url.original', objectId);
  const properties = actionProperties(record);
  if (properties !== undefined) put(doc, 'action.properties', [properties]);
}

/** SharePointListOperation (36): list views and edits; the browser comes as BrowserName/BrowserVersion. */
export function mapSharePointList(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'user_agent.name', asString(record.BrowserName));
  put(doc, 'user_agent.version', asString(record.BrowserVersion));
}
