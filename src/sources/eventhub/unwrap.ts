/**
 * Turns one Event Hub message body into the records it carries:
 * `{"records": [...]}` (Azure Monitor diagnostic settings, Defender XDR streaming API), a JSON array,
 * a single JSON object, or NDJSON. `{"type":"heartbeat"}` objects are dropped (counted).
 * Text that is not JSON is kept as an invalid item (never dropped), after one repair attempt:
 * Azure is known to emit raw line breaks inside JSON strings, which are removed.
 */

export type UnwrapErrorCode = 'EVENTHUB_INVALID_JSON' | 'EVENTHUB_NOT_AN_OBJECT' | 'EVENTHUB_EMPTY_BODY';

export type UnwrapItem =
  | { ok: true; record: Record<string, unknown>; sanitized: boolean }
  | { ok: false; raw: string; code: UnwrapErrorCode; message: string };

export interface UnwrapResult {
  items: UnwrapItem[];
  heartbeats: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHeartbeat(value: Record<string, unknown>): boolean {
  return typeof value.type === 'string' && value.type.toLowerCase() === 'heartbeat';
}

function collect(value: unknown, sanitized: boolean, out: UnwrapResult): void {
  if (Array.isArray(value)) {
    for (const element of value) collectOne(element, sanitized, out);
    return;
  }
  if (isObject(value) && Array.isArray(value.records)) {
    for (const element of value.records) collectOne(element, sanitized, out);
    return;
  }
  collectOne(value, sanitized, out);
}

function collectOne(value: unknown, sanitized: boolean, out: UnwrapResult): void {
  if (!isObject(value)) {
    const raw = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    out.items.push({
      ok: false,
      raw,
      code: 'EVENTHUB_NOT_AN_OBJECT',
      message: `expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
    });
    return;
  }
  if (isHeartbeat(value)) {
    out.heartbeats += 1;
    return;
  }
  out.items.push({ ok: true, record: value, sanitized });
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/** Every non-empty line parses on its own: newline-delimited JSON. */
function tryNdjson(text: string): unknown[] | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length < 2) return undefined;
  const values: unknown[] = [];
  for (const line of lines) {
    const parsed = tryParse(line);
    if (!parsed.ok) return undefined;
    values.push(parsed.value);
  }
  return values;
}

function unwrapText(text: string, out: UnwrapResult): void {
  if (text.trim().length === 0) {
    out.items.push({ ok: false, raw: text, code: 'EVENTHUB_EMPTY_BODY', message: 'the message body is empty' });
    return;
  }
  const parsed = tryParse(text);
  if (parsed.ok) {
    collect(parsed.value, false, out);
    return;
  }
  const lines = tryNdjson(text);
  if (lines) {
    for (const value of lines) collect(value, false, out);
    return;
  }
  const repaired = tryParse(text.replace(/[\r\n]+/g, ''));
  if (repaired.ok) {
    collect(repaired.value, true, out);
    return;
  }
  out.items.push({ ok: false, raw: text, code: 'EVENTHUB_INVALID_JSON', message: `not valid JSON: ${parsed.message}` });
}

/** `body` as the SDK hands it with `skipParsingBodyAsJson`: bytes for a data section, or a decoded AMQP value. */
export function unwrapBody(body: unknown): UnwrapResult {
  const out: UnwrapResult = { items: [], heartbeats: 0 };
  if (body === undefined || body === null) {
    out.items.push({ ok: false, raw: '', code: 'EVENTHUB_EMPTY_BODY', message: 'the message has no body' });
  } else if (body instanceof Uint8Array) {
    unwrapText(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'), out);
  } else if (typeof body === 'string') {
    unwrapText(body, out);
  } else {
    collect(body, false, out);
  }
  return out;
}
