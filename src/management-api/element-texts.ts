/**
 * Where each element of a JSON array lies in its bytes, so that a blob is decoded and parsed element by element:
 * each record's text is then a small string of its own (for `format: raw` the sinks write it as received, with no
 * JSON.stringify), and no string of the whole body is ever made (a 240 KB blob string lives in V8's large-object
 * space until a full GC, so a backlog of them held ~40 MB of RSS).
 *
 * The scan checks the array's own syntax (the brackets, commas and whitespace between elements, nothing after the
 * closing bracket) and delimits each element; what is inside an element is checked by the `JSON.parse` of its text,
 * so the body is valid JSON exactly when the scan succeeds and every element parses. It works on UTF-8 bytes:
 * every structural character is ASCII, and no byte of a multi-byte character is.
 */

/** One element of the array: its bytes are `body[start, end)`. */
export interface ElementSpan {
  start: number;
  end: number;
  /**
   * An object nested at most `maxDepth` objects/arrays (itself included) and written on one line: its text is usable
   * as an NDJSON line and vouches for its depth (JSON allows a line break only as whitespace between tokens).
   */
  lineText: boolean;
}

/** The body is not a JSON array, or its array syntax is broken (the message says where). */
export class JsonArrayError extends Error {
  override readonly name = 'JsonArrayError';
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const isWhitespace = (b: number): boolean => b === SPACE || b === LF || b === CR || b === TAB;

function skipWhitespace(body: Buffer, from: number): number {
  let i = from;
  while (i < body.length && isWhitespace(body[i] as number)) i += 1;
  return i;
}

const shown = (body: Buffer, at: number): string =>
  at >= body.length ? 'the end of the body' : `${JSON.stringify(String.fromCharCode(body[at] as number))} at byte ${at}`;

/** The index of the quote closing the string opened at `open` (a quote preceded by an even run of backslashes), or -1. */
function closingQuote(body: Buffer, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * The spans of the elements of the JSON array in `body` (UTF-8), in order. Throws JsonArrayError when the body is
 * not one array (nothing else but whitespace around it) or an element is cut short.
 */
export function arrayElementSpans(body: Buffer, maxDepth: number): ElementSpan[] {
  const n = body.length;
  let i = skipWhitespace(body, 0);
  if (body[i] !== OPEN_BRACKET) throw new JsonArrayError(`the body is not a JSON array (${shown(body, i)})`);
  const spans: ElementSpan[] = [];
  i = skipWhitespace(body, i + 1);
  if (body[i] === CLOSE_BRACKET) i += 1;
  else
    for (;;) {
      const start = i;
      const first = body[i];
      let lineText = false;
      if (first === OPEN_BRACE || first === OPEN_BRACKET) {
        let depth = 0;
        let deepest = 0;
        let lineBreak = false;
        for (; i < n; i += 1) {
          const b = body[i] as number;
          if (b === QUOTE) {
            i = closingQuote(body, i);
            if (i < 0) throw new JsonArrayError(`element ${spans.length}: a string is not closed`);
          } else if (b === OPEN_BRACE || b === OPEN_BRACKET) {
            depth += 1;
            if (depth > deepest) deepest = depth;
          } else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
            depth -= 1;
            if (depth === 0) break;
          } else if (b === LF || b === CR) lineBreak = true;
        }
        if (i >= n) throw new JsonArrayError(`element ${spans.length} is not closed`);
        i += 1;
        lineText = first === OPEN_BRACE && deepest <= maxDepth && !lineBreak;
      } else if (first === QUOTE) {
        i = closingQuote(body, i);
        if (i < 0) throw new JsonArrayError(`element ${spans.length}: a string is not closed`);
        i += 1;
      } else {
        // A number or a literal (true, false, null): its own JSON.parse tells whether it is one.
        while (i < n && !isWhitespace(body[i] as number) && body[i] !== COMMA && body[i] !== CLOSE_BRACKET) i += 1;
        if (i === start) throw new JsonArrayError(`expected an element, got ${shown(body, i)}`);
      }
      spans.push({ start, end: i, lineText });
      i = skipWhitespace(body, i);
      if (body[i] === COMMA) {
        i = skipWhitespace(body, i + 1);
        continue;
      }
      if (body[i] === CLOSE_BRACKET) {
        i += 1;
        break;
      }
      throw new JsonArrayError(`expected "," or "]" after element ${spans.length - 1}, got ${shown(body, i)}`);
    }
  i = skipWhitespace(body, i);
  if (i < n) throw new JsonArrayError(`unexpected ${shown(body, i)} after the array`);
  return spans;
}
