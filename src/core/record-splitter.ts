/**
 * Splits a byte stream of audit records — one JSON array of records, or NDJSON (one record per line) — into the
 * JSON text of each record, with its position and byte offset, without parsing the records themselves: each one
 * is handed on as text and parsed on its own, so a bad record costs only itself. Used by `o365-intake normalize`
 * (stdin) and for content blobs (`arrayOnly`), whose records then each come with their text as received and no
 * string of the whole body is ever made, whatever its size.
 *
 * Why not a streaming JSON parser (stream-json): it tokenizes in JavaScript, several times slower than JSON.parse
 * on each record's text, and its errors carry no byte offset. This scanner only tracks strings and bracket depth;
 * the search inside strings uses Buffer.indexOf.
 */

/**
 * A record's JSON text, or why the input could not give one. `offset` is the record's first byte in the input.
 * For records of a JSON array, `nesting` is how deep objects/arrays nest in it (itself included; 0 for a string, number
 * or literal) and `lineBreak` whether a line break stands between its tokens; an NDJSON line has neither. An error
 * with `tooLarge` is a record skipped for its size (MAX_RECORD_BYTES); the records after it are read.
 */
export type SplitItem =
  | { index: number; offset: number; text: string; nesting?: number; lineBreak?: boolean }
  | { index: number; offset: number; error: string; fatal: boolean; tooLarge?: true };

export interface RecordSplitterOptions {
  /** Only a JSON array is accepted (anything else is a fatal error), not NDJSON. */
  arrayOnly?: boolean;
}

/** A record larger than this is reported and skipped rather than held in memory. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const NEWLINE = 0x0a;
const CR = 0x0d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === NEWLINE || b === CR;
const BOM = [0xef, 0xbb, 0xbf];

/** Number of backslashes just before `at`, not looking before `from`. */
function backslashesBefore(chunk: Buffer, at: number, from: number): number {
  let k = at - 1;
  while (k >= from && chunk[k] === BACKSLASH) k -= 1;
  return at - 1 - k;
}

/**
 * The quote that closes the string being read from `from` in `chunk` (a quote after an even run of backslashes), or
 * -1 if the string goes on in the next chunk. Only quotes are searched for, so each byte is looked at about once.
 */
function closingQuote(chunk: Buffer, from: number): number {
  let quote = chunk.indexOf(QUOTE, from);
  while (quote !== -1 && backslashesBefore(chunk, quote, from) % 2 === 1) quote = chunk.indexOf(QUOTE, quote + 1);
  return quote;
}

/** Whether a string still open at the end of `chunk` ends on an escaping backslash (an odd run of them). */
function endsWithOddBackslashes(chunk: Buffer, from: number): boolean {
  return backslashesBefore(chunk, chunk.length, from) % 2 === 1;
}

type Mode = 'sniff' | 'array' | 'ndjson' | 'after-array' | 'stopped';

/** Holds the bytes of the record being read, across chunks, up to MAX_RECORD_BYTES. */
class RecordBytes {
  #parts: Buffer[] = [];
  #size = 0;
  tooLarge = false;

  add(chunk: Buffer, start: number, end: number): void {
    if (end <= start || this.tooLarge) return;
    this.#size += end - start;
    if (this.#size > MAX_RECORD_BYTES) {
      this.tooLarge = true;
      this.#parts = [];
      return;
    }
    this.#parts.push(chunk.subarray(start, end));
  }

  get size(): number {
    return this.#size;
  }

  take(): string {
    const parts = this.#parts;
    const text = parts.length === 1 ? (parts[0] as Buffer).toString('utf8') : Buffer.concat(parts, this.#size).toString('utf8');
    this.reset();
    return text;
  }

  reset(): void {
    this.#parts = [];
    this.#size = 0;
    this.tooLarge = false;
  }
}

export class RecordSplitter {
  #mode: Mode = 'sniff';
  /** Bytes of the input consumed before the current chunk. */
  #base = 0;
  #index = 0;
  readonly #record = new RecordBytes();
  /** Offset of the current record's first byte, or -1 between records. */
  #start = -1;
  // Array scanning state.
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** The current record's deepest nesting so far, and whether a line break was seen between its tokens. */
  #deepest = 0;
  #lineBreak = false;
  /** Start of the current record within the current chunk (0 when it began in an earlier chunk). */
  #chunkStart = 0;
  /** A "," was seen: a record must follow before "]". */
  #expectRecord = false;
  // NDJSON: the line number of the current line (1-based).
  #line = 1;
  /** The first bytes, held until there are enough to recognize a byte order mark. */
  #head: Buffer | undefined;
  readonly #emit: (item: SplitItem) => void;
  readonly #arrayOnly: boolean;

  constructor(emit: (item: SplitItem) => void, options: RecordSplitterOptions = {}) {
    this.#emit = emit;
    this.#arrayOnly = options.arrayOnly ?? false;
  }

  /** Number of records (complete or failed) seen so far. */
  get records(): number {
    return this.#index;
  }

  push(input: Buffer): void {
    let chunk = input;
    if (this.#head !== undefined) {
      chunk = Buffer.concat([this.#head, input]);
      this.#head = undefined;
    }
    if (this.#mode === 'sniff' && this.#base === 0 && chunk.length < BOM.length) {
      this.#head = chunk;
      return;
    }
    this.#process(chunk);
  }

  #process(chunk: Buffer): void {
    let i = 0;
    if (this.#mode === 'sniff') i = this.#sniff(chunk);
    if (this.#mode === 'array') this.#scanArray(chunk, i);
    else if (this.#mode === 'ndjson') this.#scanLines(chunk, i);
    else if (this.#mode === 'after-array') this.#scanTrailer(chunk, i);
    this.#base += chunk.length;
  }

  /** End of input: a record still open is either the last NDJSON line or a truncated array. */
  end(): void {
    if (this.#head !== undefined) {
      const head = this.#head;
      this.#head = undefined;
      this.#process(head);
    }
    const at = this.#base;
    if (this.#mode === 'ndjson') {
      if (this.#start >= 0) this.#finishLine();
    } else if (this.#mode === 'array') {
      if (this.#start >= 0 && this.#depth === 0 && !this.#inString) this.#finishRecord();
      const inside = this.#start >= 0 ? ` inside record ${this.#index + 1} (which starts at byte ${this.#start})` : '';
      this.#fatal(at, `unexpected end of input at byte ${at}${inside}: the JSON array is not closed`);
    } else if (this.#mode === 'sniff' && this.#arrayOnly) this.#fatal(at, 'the input is empty, not a JSON array');
    this.#mode = 'stopped';
  }

  /** Skips a UTF-8 byte order mark and white space; the first other byte picks the format. */
  #sniff(chunk: Buffer): number {
    let i = 0;
    if (this.#base === 0 && chunk[0] === BOM[0] && chunk[1] === BOM[1] && chunk[2] === BOM[2]) i = BOM.length;
    while (i < chunk.length && isSpace(chunk[i] as number)) {
      if (chunk[i] === NEWLINE) this.#line += 1;
      i += 1;
    }
    if (i >= chunk.length) return i;
    if (chunk[i] === OPEN_BRACKET) {
      this.#mode = 'array';
      return i + 1;
    }
    if (this.#arrayOnly) {
      const at = this.#base + i;
      this.#fatal(at, `the input is not a JSON array (${JSON.stringify(String.fromCharCode(chunk[i] as number))} at byte ${at})`);
      return chunk.length;
    }
    this.#mode = 'ndjson';
    return i;
  }

  #fatal(offset: number, error: string): void {
    this.#emit({ index: this.#index + 1, offset, error, fatal: true });
    this.#mode = 'stopped';
    this.#record.reset();
  }

  #finishRecord(): void {
    const index = ++this.#index;
    const offset = this.#start;
    this.#start = -1;
    if (this.#record.tooLarge) {
      this.#record.reset();
      this.#emit({ index, offset, error: `record larger than ${MAX_RECORD_BYTES} bytes, skipped`, fatal: false, tooLarge: true });
      return;
    }
    this.#emit({ index, offset, text: this.#record.take(), nesting: this.#deepest, lineBreak: this.#lineBreak });
  }

  #scanArray(chunk: Buffer, from: number): void {
    // The state lives in locals while the loop runs (written back before anything else can read it): this loop
    // looks at every byte outside strings.
    let i = from;
    const n = chunk.length;
    let depth = this.#depth;
    let deepest = this.#deepest;
    let lineBreak = this.#lineBreak;
    const save = (): void => {
      this.#depth = depth;
      this.#deepest = deepest;
      this.#lineBreak = lineBreak;
    };
    while (i < n) {
      if (this.#inString) {
        if (this.#escaped) {
          // The previous chunk ended on an escaping backslash: this byte is escaped.
          this.#escaped = false;
          i += 1;
          continue;
        }
        const end = closingQuote(chunk, i);
        if (end === -1) {
          this.#escaped = endsWithOddBackslashes(chunk, i);
          i = n;
          break;
        }
        i = end + 1;
        this.#inString = false;
        continue;
      }
      const b = chunk[i] as number;
      if (depth === 0) {
        // Between records, inside the top-level array.
        if (isSpace(b)) {
          i += 1;
          continue;
        }
        if (b === CLOSE_BRACKET) {
          save();
          if (this.#start >= 0) this.#closeRecord(chunk, i);
          else if (this.#expectRecord) {
            this.#emit({
              index: ++this.#index,
              offset: this.#base + i,
              error: `a record is missing before "]" at byte ${this.#base + i} (trailing ",")`,
              fatal: false,
            });
          }
          this.#mode = 'after-array';
          this.#scanTrailer(chunk, i + 1);
          return;
        }
        if (b === COMMA) {
          save();
          if (this.#start < 0) {
            this.#emit({
              index: ++this.#index,
              offset: this.#base + i,
              error: `empty record (a "," with no record before it) at byte ${this.#base + i}`,
              fatal: false,
            });
          } else this.#closeRecord(chunk, i);
          this.#expectRecord = true;
          i += 1;
          continue;
        }
        if (this.#start < 0) {
          this.#start = this.#base + i;
          this.#chunkStart = i;
          this.#expectRecord = false;
          deepest = 0;
          lineBreak = false;
        }
      }
      if (b === QUOTE) this.#inString = true;
      else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
        depth += 1;
        if (depth > deepest) deepest = depth;
      } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
        if (depth === 0) {
          // The record before it is complete: hand it on before stopping.
          save();
          if (this.#start >= 0) this.#closeRecord(chunk, i);
          this.#fatal(this.#base + i, `unexpected "${String.fromCharCode(b)}" at byte ${this.#base + i}`);
          return;
        }
        depth -= 1;
      } else if (b === NEWLINE || b === CR) lineBreak = true;
      i += 1;
    }
    save();
    if (this.#start >= 0) {
      this.#record.add(chunk, this.#chunkStart, n);
      this.#chunkStart = 0;
    }
  }

  /** The record ends just before `end` in `chunk` (trailing white space is left to JSON.parse). */
  #closeRecord(chunk: Buffer, end: number): void {
    this.#record.add(chunk, this.#chunkStart, end);
    this.#chunkStart = 0;
    this.#finishRecord();
  }

  /** After the closing "]": only white space may follow. */
  #scanTrailer(chunk: Buffer, from: number): void {
    for (let i = from; i < chunk.length; i++) {
      if (isSpace(chunk[i] as number)) continue;
      const at = this.#base + i;
      this.#fatal(at, `unexpected data after the end of the JSON array at byte ${at} (after ${this.#index} records)`);
      return;
    }
  }

  #scanLines(chunk: Buffer, from: number): void {
    let i = from;
    const n = chunk.length;
    while (i < n) {
      if (this.#start < 0) {
        this.#start = this.#base + i;
        this.#chunkStart = i;
      }
      const newline = chunk.indexOf(NEWLINE, i);
      if (newline === -1) {
        this.#record.add(chunk, this.#chunkStart, n);
        this.#chunkStart = 0;
        return;
      }
      this.#record.add(chunk, this.#chunkStart, newline);
      this.#chunkStart = 0;
      this.#finishLine();
      this.#line += 1;
      i = newline + 1;
    }
  }

  /** One NDJSON line: blank lines are skipped; records are numbered by their line. */
  #finishLine(): void {
    const offset = this.#start;
    this.#start = -1;
    if (this.#record.tooLarge) {
      this.#record.reset();
      this.#index += 1;
      this.#emit({
        index: this.#line,
        offset,
        error: `record larger than ${MAX_RECORD_BYTES} bytes, skipped`,
        fatal: false,
        tooLarge: true,
      });
      return;
    }
    if (this.#record.size === 0) return;
    const text = this.#record.take();
    if (text.trim() === '') return;
    this.#index += 1;
    this.#emit({ index: this.#line, offset, text });
  }
}
