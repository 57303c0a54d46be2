import type { ProcessedEvent } from '../core/processed-event.ts';

/** Characters of searchable text per event: beyond it the rest of the values are not full-text indexed. */
export const MAX_TEXT = 4096;

/** Values that carry no words worth indexing (ids repeated on every event are searched by field instead). */
const SKIP_KEYS = new Set(['@timestamp', 'CreationTime', 'OrganizationId', 'Version', 'RecordType', 'UserType']);

function collect(node: unknown, key: string, seen: Set<string>, out: string[], budget: { left: number }): void {
  if (budget.left <= 0 || SKIP_KEYS.has(key)) return;
  if (typeof node === 'string') {
    if (node.length === 0 || seen.has(node)) return;
    seen.add(node);
    const piece = node.length > budget.left ? node.slice(0, budget.left) : node;
    out.push(piece);
    budget.left -= piece.length + 1;
  } else if (typeof node === 'number') {
    collect(String(node), key, seen, out, budget);
  } else if (Array.isArray(node)) {
    for (const item of node) collect(item, key, seen, out, budget);
  } else if (node && typeof node === 'object') {
    for (const k in node) collect((node as Record<string, unknown>)[k], k, seen, out, budget);
  }
}

/**
 * The text indexed for full-text search: the description, then each distinct string (and number) of the ECS
 * document, then those of the raw record that ECS did not already carry (bounded by MAX_TEXT).
 */
export function searchTextOf(event: ProcessedEvent): string {
  const seen = new Set<string>();
  const out = [event.description];
  const budget = { left: MAX_TEXT };
  collect(event.ecs, '', seen, out, budget);
  collect(event.raw, '', seen, out, budget);
  return out.join(' ');
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
