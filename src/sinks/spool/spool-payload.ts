import { jsonWithDocument, type OutputEvent } from '../../core/output-event.ts';

/**
 * A batch as the spool keeps it: the JSON array of its events. An event whose document's text is already known
 * (`json`: a raw record kept as received, or the ECS document the pipeline serialized) has that text written as its
 * document, so the document is neither serialized again nor written twice (as an object and as the escaped text);
 * read back, it is the document.
 */
export function spoolPayload(events: readonly OutputEvent[]): Buffer {
  const parts = events.map((event) => {
    const { json: _json, document: _document, ...fields } = event;
    return jsonWithDocument(fields, 'document', event);
  });
  return Buffer.from(`[${parts.join(',')}]`, 'utf8');
}
