import { documentJson, type OutputEvent } from '../../core/output-event.ts';
import { SYSLOG_FACILITIES } from '../config.ts';

export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];

export interface Rfc5424Options {
  facility: SyslogFacility;
  hostname: string;
  appName: string;
  procId: string;
}

/** Severity of an alert level (RFC 5424 numbers); events are informational, dead letters warnings. */
const ALERT_SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, informational: 6 };

export function severityOf(event: OutputEvent): number {
  if (event.kind === 'dead-letter') return 4;
  if (event.kind === 'alert') return ALERT_SEVERITY[String(event.document.level)] ?? 4;
  return 6;
}

/** RFC 5424 header fields are printable US-ASCII without spaces; anything else becomes `_`, empty becomes `-`. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}

/** Structured data carrying the event's stable id, the dedup key of an at-least-once delivery (32473: the example enterprise number of RFC 5612). */
function idElement(id: string): string {
  return `[o365intake@32473 id="${id.replace(/["\\\]]/g, (c) => `\\${c}`)}"]`;
}

/**
 * `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG`: the event time as TIMESTAMP, the event kind
 * as MSGID, the event's stable id as structured data (`[o365intake@32473 id="…"]`, so a receiver can drop a
 * repeat), and the JSON document as MSG (UTF-8, no BOM, so JSON parsers downstream read it as is).
 */
export function formatRfc5424(event: OutputEvent, options: Rfc5424Options): string {
  const pri = SYSLOG_FACILITIES.indexOf(options.facility) * 8 + severityOf(event);
  const time = new Date(Number.isFinite(event.time) ? event.time : Date.now()).toISOString();
  return `<${pri}>1 ${time} ${headerField(options.hostname, 255)} ${headerField(options.appName, 48)} ${headerField(options.procId, 128)} ${headerField(event.kind, 32)} ${idElement(event.id)} ${documentJson(event)}`;
}

/** RFC 6587 framing for stream transports: octet counting (`LEN SP MSG`) or a trailing LF. */
export function frame(message: string, framing: 'octet-counting' | 'lf'): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  return framing === 'lf' ? Buffer.concat([bytes, Buffer.from('\n')]) : Buffer.concat([Buffer.from(`${bytes.length} `), bytes]);
}
