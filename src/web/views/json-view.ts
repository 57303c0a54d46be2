import { escapeHtml, raw, type SafeHtml } from '../html.ts';

const TOKEN = /("(?:\\u[0-9a-fA-F]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** Pretty-printed JSON with syntax classes; every piece of text is escaped. */
export function jsonView(value: unknown): SafeHtml {
  const text = JSON.stringify(value, null, 2) ?? 'null';
  let out = '';
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    out += escapeHtml(text.slice(last, match.index));
    const [whole, str, colon, literal, num] = match;
    if (str !== undefined)
      out += `<span class="${colon ? 'j-key' : 'j-str'}">${escapeHtml(str)}</span>${colon ? escapeHtml(colon) : ''}`;
    else if (literal !== undefined) out += `<span class="j-lit">${literal}</span>`;
    else if (num !== undefined) out += `<span class="j-num">${escapeHtml(num)}</span>`;
    last = match.index + whole.length;
  }
  out += escapeHtml(text.slice(last));
  return raw(out);
}
