import { searchTextOf, tokensOf } from '../full-text.ts';
import type { ProcessedEvent } from '../../core/processed-event.ts';

/**
 * Full text in PostgreSQL, with the same words as the SQLite store's FTS5 index: runs of letters and digits,
 * lower-cased, accents removed. The words are cut here and joined by spaces, so PostgreSQL's parser (which would keep
 * `alice@contoso.com` or `/sites/finance` whole) only sees plain words; the 'simple' configuration indexes them as they
 * are, with their positions (phrases).
 */
function foldWords(value: string): string[] {
  // Most audit text is ASCII: only other text pays for the decomposition that takes accents off.
  const folded = /[\u0080-\uffff]/.test(value) ? value.normalize('NFD').replace(/\p{M}+/gu, '') : value;
  return tokensOf(folded.toLowerCase());
}

const MAX_WORD_BYTES = 2047;

/** The text given to to_tsvector('simple', …) for one event. */
export function searchWordsOf(event: ProcessedEvent): string {
  return foldWords(searchTextOf(event)).join(' ');
}

/**
 * A to_tsquery('simple', …) text for a value: its words as one phrase (`alice <-> contoso <-> com`), the last one as a
 * prefix when `prefix` is set; undefined without words. Words hold only letters and digits: no tsquery operator can
 * come from the value.
 */
export function tsPhrase(value: string, prefix = false): string | undefined {
  // PostgreSQL indexes no word of 2 kB or more (and refuses one in a query): such a word is left out of the test.
  const words = foldWords(value).filter((w) => Buffer.byteLength(w) < MAX_WORD_BYTES);
  if (words.length === 0) return undefined;
  return `${words.join(' <-> ')}${prefix ? ':*' : ''}`;
}
