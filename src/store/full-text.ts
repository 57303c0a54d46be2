import { StoreQueryError } from './errors.ts';

const MAX_TEXT = 8192;

function collectStrings(node: unknown, out: string[], budget: { left: number }): void {
  if (budget.left <= 0) return;
  if (typeof node === 'string') {
    if (node.length === 0) return;
    const piece = node.slice(0, budget.left);
    out.push(piece);
    budget.left -= piece.length + 1;
  } else if (typeof node === 'number' || typeof node === 'boolean') {
    collectStrings(String(node), out, budget);
  } else if (Array.isArray(node)) {
    for (const item of node) collectStrings(item, out, budget);
  } else if (node && typeof node === 'object') {
    for (const value of Object.values(node)) collectStrings(value, out, budget);
  }
}

/** The text indexed for full-text search: the description, then every value of the raw record (bounded). */
export function fullTextOf(description: string, raw: unknown): string {
  const out = [description];
  collectStrings(raw, out, { left: MAX_TEXT });
  return out.join(' ');
}

/**
 * Turns what an analyst types into a safe FTS5 query: every word must match (AND),
 * `-word` excludes, `word*` is a prefix, `"two words"` is a phrase. Punctuation inside a word
 * (emails, IPs, GUIDs) is kept: the word becomes a phrase of its tokens.
 */
export function toFtsQuery(input: string): string | undefined {
  const terms = input.match(/-?"[^"]*"|\S+/g) ?? [];
  const include: string[] = [];
  const exclude: string[] = [];
  for (const term of terms) {
    const negated = term.startsWith('-') && term.length > 1;
    let word = negated ? term.slice(1) : term;
    const prefix = word.endsWith('*') && !word.startsWith('"');
    if (prefix) word = word.slice(0, -1);
    word = word.replace(/^"|"$/g, '').replace(/"/g, '');
    if (!/[\p{L}\p{N}]/u.test(word)) continue;
    const quoted = `"${word}"${prefix ? '*' : ''}`;
    (negated ? exclude : include).push(quoted);
  }
  if (include.length === 0) {
    if (exclude.length > 0) throw new StoreQueryError('q', 'a search needs at least one word that is not excluded with "-"');
    return undefined;
  }
  return [include.join(' AND '), ...exclude.map((e) => `NOT ${e}`)].join(' ');
}
