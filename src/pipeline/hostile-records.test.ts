// The pipeline with hostile records (issue 12): each becomes an event or a dead letter that the sinks can
// serialize, with the reason; the records after them are still delivered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { SourceRecord } from '../core/source-record.ts';
import { hostileRecords } from '../normalize/test-support/hostile-records.ts';
import { silentLogger } from '../observability/logger.ts';
import { Pipeline } from './pipeline.ts';

/** Keeps what a real sink would send: the JSON text of each document (so an unserializable one fails here). */
class SerializingSink implements Sink {
  readonly written: Array<{ kind: string; id: string; document: Record<string, unknown> }> = [];
  readonly name = 'memory';
  async open() {}
  async write(events: readonly OutputEvent[]) {
    for (const e of events) this.written.push({ kind: e.kind, id: e.id, document: JSON.parse(JSON.stringify(e.document)) });
  }
  position() {
    return String(this.written.length);
  }
  async close() {}
}

test('hostile records: events or serializable dead letters with the reason, none lost', async () => {
  const sink = new SerializingSink();
  const pipeline = new Pipeline({ sinks: [sink], format: 'both', logger: silentLogger });
  await pipeline.open({});
  const hostile = hostileRecords();
  const sources: SourceRecord[] = hostile.map((h) => ({
    tenantId: 'tid',
    tenantName: 'contoso',
    source: 'management-api',
    contentType: 'Audit.AzureActiveDirectory',
    contentId: 'c1',
    record: JSON.parse(h.text),
  }));
  await pipeline.exclusive((deliver) => deliver(sources));
  const events = sink.written.filter((w) => w.kind === 'event');
  const dead = sink.written.filter((w) => w.kind === 'dead-letter');
  assert.equal(events.length + dead.length, hostile.length, 'every record is delivered once, as an event or a dead letter');
  for (const h of hostile.filter((x) => x.expect === 'ok')) {
    const id = (JSON.parse(h.text) as { Id: string }).Id;
    assert.ok(
      events.some((e) => e.id === `tid:${id}`),
      `${h.name} delivered as an event`,
    );
  }
  const rejected = hostile.filter((x) => x.expect !== 'ok');
  assert.equal(dead.length, rejected.length);
  for (const [i, h] of rejected.entries()) {
    const doc = dead[i]?.document as { error: { message: string }; raw?: Record<string, unknown>; raw_text?: string };
    assert.match(doc.error.message, h.expect as RegExp, h.name);
    // The record is kept: as the object, or — too deep for the sinks' serializers — as its exact text.
    if (doc.raw_text !== undefined) assert.equal(doc.raw_text, h.text, h.name);
    else assert.deepEqual(doc.raw, JSON.parse(h.text), h.name);
  }
  // Impossible dates keep their raw text in the dead letter, not a rolled-over date.
  const feb30 = dead.find((d) => /day 30/.test(String((d.document.error as { message: string }).message)));
  assert.ok(feb30, 'the 2024-02-30 record is a dead letter');
  assert.equal((feb30.document.raw as { CreationTime: string }).CreationTime, '2024-02-30T10:00:00');
});
