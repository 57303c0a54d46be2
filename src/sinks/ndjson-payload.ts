import { documentJson, type OutputEvent } from '../core/output-event.ts';

/**
 * The batch as NDJSON bytes (each document's JSON text, `event.json` when known, one per line), encoded straight into
 * one buffer: no joined string of the whole batch (whose flattening copies it once more and, with a single non-Latin-1
 * character anywhere, doubles it to UTF-16 before the UTF-8 encoding). The buffer is sized for Latin-1 text and grown
 * only when a document needs more.
 */
export function ndjsonPayload(events: readonly OutputEvent[]): Buffer {
  const texts = events.map(documentJson);
  let size = texts.length;
  for (const text of texts) size += text.length;
  let buffer = Buffer.allocUnsafe(size);
  let at = 0;
  for (const text of texts) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a text that could overflow is measured exactly.
    if (at + 3 * text.length + 1 > buffer.length) {
      const needed = at + Buffer.byteLength(text, 'utf8') + 1;
      if (needed > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(needed, buffer.length + (buffer.length >> 1)));
        buffer.copy(grown, 0, 0, at);
        buffer = grown;
      }
    }
    at += buffer.write(text, at, 'utf8');
    buffer[at++] = 0x0a;
  }
  return at === buffer.length ? buffer : buffer.subarray(0, at);
}
