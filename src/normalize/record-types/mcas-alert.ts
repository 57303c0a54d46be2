import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { normalizeIp } from '../client-ip.ts';
import { put } from '../document.ts';
import { asArray, asString } from '../values.ts';

/**
 * MCAS alerts (98): Defender for Cloud Apps detections (impossible travel, mass download…).
 * Real records use Alert* fields; the SCC-style Name/Severity/Category are accepted as fallbacks.
 */
export function mapMcasAlert(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.kind', 'alert');
  put(doc, 'event.category', ['intrusion_detection']);
  put(doc, 'event.type', ['info']);
  put(doc, 'office365.alert.category', asString(record.AlertCategory) ?? asString(record.Category));
  put(doc, 'office365.alert.display_name', asString(record.AlertDisplayName) ?? asString(record.Name));
  put(doc, 'office365.alert.description', asString(record.AlertDescription));
  put(doc, 'office365.alert.severity', asString(record.AlertSeverity) ?? asString(record.Severity));
  put(doc, 'office365.alert.id', asString(record.AlertId));
  put(doc, 'event.url', asString(record.AlertUri));
  const ips: string[] = [];
  for (const ip of asArray(record.ClientIPs)) if (typeof ip === 'string' && ip !== '') ips.push(normalizeIp(ip));
  put(doc, 'office365.alert.client_ips', ips);
}
