import type { AuditRecord } from '../../core/audit-record.ts';
import type { EcsDocument } from '../../core/processed-event.ts';
import { put } from '../document.ts';
import { asArray, asString } from '../values.ts';

/** MCAS alerts (98): Defender for Cloud Apps detections (impossible travel, mass download…). */
export function mapMcasAlert(record: AuditRecord, doc: EcsDocument): void {
  put(doc, 'event.kind', 'alert');
  put(doc, 'event.category', ['intrusion_detection']);
  put(doc, 'event.type', ['info']);
  put(doc, 'office365.alert.category', asString(record.AlertCategory));
  put(doc, 'office365.alert.display_name', asString(record.AlertDisplayName));
  put(doc, 'office365.alert.description', asString(record.AlertDescription));
  put(doc, 'office365.alert.severity', asString(record.AlertSeverity));
  put(doc, 'office365.alert.client_ips', asArray(record.ClientIPs).filter((ip) => typeof ip === 'string'));
}
