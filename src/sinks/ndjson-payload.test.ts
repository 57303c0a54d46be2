import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputEvent } from '../core/output-event.ts';
import { ndjsonPayload } from './ndjson-payload.ts';

const event = (document: Record<string, unknown>, json?: string): OutputEvent => ({
  id: 't:1',
  kind: 'event',
  tenantId: 't',
  time: 0,
  document,
  ...(json === undefined ? {} : { json }),
});

const joined = (events: OutputEvent[]): Buffer =>
  Buffer.from(`${events.map((e) => e.json ?? JSON.stringify(e.document)).join('\n')}\n`, 'utf8');

test('the payload is every document as one UTF-8 line, whatever the characters (the buffer grows past Latin-1 sizing)', () => {
  const values = ['plain', 'café', 'Zürich – Genève', '東京都の会議室', 'emoji 🔐🚀', 'line\nbreak "quoted"', '\u0000\u001f'];
  const events = Array.from({ length: 500 }, (_, i) => event({ i, user: values[i % values.length], nested: { v: values } }));
  const payload = ndjsonPayload(events);
  assert.deepEqual(payload, joined(events));
  const lines = payload.toString('utf8').split('\n');
  assert.equal(lines.length, 501, 'one line per document, then the final line break');
  assert.equal(lines.at(-1), '');
  assert.deepEqual(JSON.parse(lines[5] as string), events[5]?.document);
});

test('a document whose JSON text is known is written as that text, not serialized again', () => {
  const events = [event({ a: 1 }, '{"a":1,"kept":"as received ✓"}'), event({ b: 'é' })];
  assert.equal(ndjsonPayload(events).toString('utf8'), '{"a":1,"kept":"as received ✓"}\n{"b":"é"}\n');
});

test('a batch of one long multi-byte document fits exactly', () => {
  const events = [event({ text: '東'.repeat(100_000) })];
  const payload = ndjsonPayload(events);
  assert.equal(payload.length, Buffer.byteLength(JSON.stringify(events[0]?.document)) + 1);
  assert.deepEqual(payload, joined(events));
});
