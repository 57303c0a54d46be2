import type { OutputEvent } from '../../core/output-event.ts';

/**
 * A batch as the spool keeps it: the JSON array of its events. An event whose document's text is already known
 * (`json`: a raw record kept as received) has that text written as its document, so the document is neither
 * serialized again nor written twice (once as an object, once as the escaped text); read back, it is the document.
 */
export function spoolPayload(events: readonly OutputEvent[]): Buffer {
  const parts = events.map(({ json, ...event }) => {
    if (json === undefined) return JSON.stringify(event);
    // Every other field as JSON.stringify writes it (an undefined document is left out), then the document's text.
    const head = JSON.stringify({ ...event, document: undefined });
    return `${head.slice(0, -1)}${head.length > 2 ? ',' : ''}"document":${json}}`;
  });
  return Buffer.from(`[${parts.join(',')}]`, 'utf8');
}
