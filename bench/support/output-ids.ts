import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** What one NDJSON output file of the pipeline holds: events by `${tenantId}:${Id}`, alerts and dead letters. */
export interface OutputSummary {
  eventCounts: Map<string, number>;
  alerts: number;
  deadLetters: number;
}

interface OutputLine {
  Id?: string;
  OrganizationId?: string;
  /** Only on alert documents (ECS events of kind alert, e.g. DLP matches, are events here). */
  alert?: { id?: string };
  office365?: { record_id?: string };
  organization?: { id?: string };
  error?: { message?: string };
}

/** The event's `${tenantId}:${Id}` in a raw record or an ECS document; undefined for anything else. */
function eventKey(doc: OutputLine): string | undefined {
  if (doc.Id !== undefined && doc.OrganizationId !== undefined) return `${doc.OrganizationId}:${doc.Id}`;
  const recordId = doc.office365?.record_id;
  if (recordId !== undefined && doc.organization?.id !== undefined) return `${doc.organization.id}:${recordId}`;
  return undefined;
}

/** Reads a raw or ECS NDJSON output file line by line (never whole in memory). */
export async function summarizeOutput(path: string): Promise<OutputSummary> {
  const summary: OutputSummary = { eventCounts: new Map(), alerts: 0, deadLetters: 0 };
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const doc = JSON.parse(line) as OutputLine;
    const key = eventKey(doc);
    if (key !== undefined) summary.eventCounts.set(key, (summary.eventCounts.get(key) ?? 0) + 1);
    else if (doc.alert?.id !== undefined) summary.alerts += 1;
    else if (doc.error?.message !== undefined) summary.deadLetters += 1;
    else throw new Error(`output line is neither an event, an alert nor a dead letter: ${line.slice(0, 200)}`);
  }
  return summary;
}
