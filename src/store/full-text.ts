import type { ProcessedEvent } from '../core/processed-event.ts';

/** Characters of searchable text per event: beyond it the rest of the values are not full-text indexed. */
export const MAX_TEXT = 4096;

/** Values that carry no words worth indexing (ids repeated on every event are searched by field instead). */
const SKIP_KEYS = new Set(['@timestamp', 'CreationTime', 'OrganizationId', 'Version', 'RecordType', 'UserType']);

/** Appends every string (and number) of a document that the text does not already contain, within the budget. */
function collect(node: unknown, key: string, text: { value: string }): void {
  if (text.value.length >= MAX_TEXT || SKIP_KEYS.has(key)) return;
  if (typeof node === 'string') {
    // A value already contained (url.path inside url.full, a user in the description) adds no token or phrase.
    if (node.length === 0 || text.value.includes(node)) return;
    text.value += ` ${node.length > MAX_TEXT - text.value.length ? node.slice(0, MAX_TEXT - text.value.length) : node}`;
  } else if (typeof node === 'number') {
    collect(String(node), key, text);
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, key, text);
  } else if (node && typeof node === 'object') {
    for (const k in node) collect((node as Record<string, unknown>)[k], k, text);
  }
}

/**
 * The text indexed for full-text search: the description, then each string (and number) of the ECS document and
 * of the raw record that the text does not already contain (bounded by MAX_TEXT). Every word and phrase of every
 * value is still found, with a fraction of the tokens to index.
 */
export function searchTextOf(event: ProcessedEvent): string {
  const text = { value: event.description };
  collect(event.ecs, '', text);
  collect(event.raw, '', text);
  return text.value;
}

/** The FTS5 tokens of a value, as the unicode61 tokenizer splits it (letters and digits). */
export function tokensOf(value: string): string[] {
  return value.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** A safe FTS5 phrase of a value's tokens (`"alice" "contoso" "com"` as one phrase); undefined without tokens. */
export function ftsPhrase(value: string, prefix = false): string | undefined {
  const tokens = tokensOf(value);
  if (tokens.length === 0) return undefined;
  return `"${tokens.join(' ')}"${prefix ? '*' : ''}`;
}
