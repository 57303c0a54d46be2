/**
 * The JSON text of each object element of a JSON array, as it appears in `json` (slices of it, not copies): for
 * `format: raw` the sinks write these instead of serializing the parsed records again (JSON.stringify per record was
 * the largest cost left on the raw path). Only call it on text that `JSON.parse` accepted as an array: it tracks
 * strings and brackets, not the whole grammar. Non-object elements get `undefined`, and so does an object nested
 * deeper than `maxDepth` objects/arrays (itself included), so a text also vouches for its element's depth.
 * Returns undefined when the texts would not be usable as NDJSON lines (the text holds a line break, which JSON
 * allows only as whitespace between tokens) or when the scan does not find `count` elements.
 */
export function objectElementTexts(json: string, count: number, maxDepth: number): (string | undefined)[] | undefined {
  if (json.includes('\n') || json.includes('\r')) return undefined;
  const texts: (string | undefined)[] = new Array(count).fill(undefined);
  let depth = 0;
  let index = 0;
  let start = -1;
  let tooDeep = false;
  let nonEmpty = false;
  // Inside an element, `depth` counts the array itself too.
  const deepest = maxDepth + 1;
  for (let i = 0; i < json.length; i += 1) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      i = closingQuote(json, i);
      if (i < 0) return undefined;
      if (depth === 1) nonEmpty = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth === 1) {
        nonEmpty = true;
        if (c === OPEN_BRACE) start = i;
      }
      depth += 1;
      if (depth > deepest) tooDeep = true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 1 && start >= 0) {
        if (index >= count) return undefined;
        if (!tooDeep) texts[index] = json.slice(start, i + 1);
        start = -1;
        tooDeep = false;
      }
    } else if (depth === 1) {
      if (c === COMMA) index += 1;
      else if (c > SPACE) nonEmpty = true;
    }
  }
  return (nonEmpty ? index + 1 : 0) === count ? texts : undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const SPACE = 0x20;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The index of the quote closing the string opened at `open` (a quote preceded by an even run of backslashes). */
function closingQuote(json: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = json.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}
