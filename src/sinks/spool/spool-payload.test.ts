import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputEvent } from '../../core/output-event.ts';
import { spoolPayload } from './spool-payload.ts';

const received = '{"Id":"a1","Operation":"FileAccessed","ObjectId":"https://contoso.sharepoint.com/Документы/été.docx","N":1.50}';

test('an event whose text is known is spooled with that text as its document: read back the same, written once', () => {
  const raw: OutputEvent = {
    id: 't:a1',
    kind: 'event',
    tenantId: 't',
    time: 1_700_000_000_000,
    document: JSON.parse(received),
    json: received,
  };
  const alert: OutputEvent = { id: 'al-1', kind: 'alert', tenantId: 't', time: 1, document: { rule: { name: 'x "y"' } } };
  const payload = spoolPayload([raw, alert]);
  const back = JSON.parse(payload.toString('utf8')) as OutputEvent[];
  const { json: _, ...withoutText } = raw;
  assert.deepEqual(back, [withoutText, alert]);
  const text = payload.toString('utf8');
  assert.ok(text.includes(received), 'the text as received, not re-serialized');
  assert.equal(text.split('FileAccessed').length, 2, 'the document is written once');
  assert.ok(payload.length < Buffer.byteLength(JSON.stringify([raw, alert])), 'smaller than the events serialized whole');
});
