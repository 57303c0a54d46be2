import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { SourceRecord } from '../core/source-record.ts';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../observability/logger.ts';
import { FileSink } from '../sinks/file.ts';
import { Pipeline, type PipelineOptions } from './pipeline.ts';

class MemorySink implements Sink {
  readonly name = 'memory';
  readonly written: OutputEvent[] = [];
  async open() {}
  async write(events: readonly OutputEvent[]) {
    this.written.push(...events);
  }
  async close() {}
}

const record = (id: string | undefined): SourceRecord => ({
  tenantId: 'tid',
  tenantName: 'contoso',
  source: 'management-api',
  contentType: 'Audit.Exchange',
  contentId: 'c1',
  record: {
    ...(id ? { Id: id } : {}),
    CreationTime: '2024-05-01T10:00:00',
    RecordType: 15,
    Operation: 'UserLoginFailed',
    Workload: 'AzureActiveDirectory',
    UserId: 'eve@contoso.com',
    ClientIP: '203.0.113.9',
  },
});

async function run(options: Partial<PipelineOptions>) {
  const sink = new MemorySink();
  let normalized = 0;
  const pipeline = new Pipeline({
    sinks: [sink],
    format: 'raw',
    logger: silentLogger,
    enrich: () => {
      normalized += 1;
    },
    ...options,
  });
  await pipeline.open({});
  await pipeline.exclusive((deliver) => deliver([record('a-1'), record(undefined)]));
  await pipeline.close();
  return { sink, normalized };
}

test('raw output with no store and no detection skips normalization; records are still validated', async () => {
  const { sink, normalized } = await run({});
  assert.equal(normalized, 0, 'no ECS document was built');
  assert.deepEqual(
    sink.written.map((o) => o.kind),
    ['event', 'dead-letter'],
  );
  const [event] = sink.written;
  assert.deepEqual(event?.document, record('a-1').record);
  assert.equal(event?.id, 'tid:a-1');
  assert.equal(event?.time, Date.parse('2024-05-01T10:00:00Z'));
});

test('ECS is still built when the format needs it or a store reads it', async () => {
  assert.equal((await run({ format: 'ecs' })).normalized, 1);
  assert.equal((await run({ store: { insertEvents: () => undefined, insertAlerts: () => undefined } })).normalized, 1);
});

test('raw output writes a record kept as received as that text (its escapes and number spelling), others serialized', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'raw-text-')), 'out.ndjson');
  const text = '{"Id":"caf\\u00e9","CreationTime":"2024-05-01T10:00:00","RecordType":15.0}';
  const kept: SourceRecord = { ...record('x'), record: JSON.parse(text) as SourceRecord['record'], text };
  const sink = new FileSink({ name: 'file', path, logger: silentLogger });
  const pipeline = new Pipeline({ sinks: [sink], format: 'raw', logger: silentLogger });
  await pipeline.open({});
  await pipeline.exclusive((deliver) => deliver([kept, record('a-1')]));
  await pipeline.close();
  assert.deepEqual(readFileSync(path, 'utf8').split('\n'), [text, JSON.stringify(record('a-1').record), '']);
  const both = new MemorySink();
  const ecs = new Pipeline({ sinks: [both], format: 'both', logger: silentLogger });
  await ecs.exclusive((deliver) => deliver([kept]));
  const written = both.written[0];
  assert.equal(written?.json, JSON.stringify(written?.document), 'other formats: the document serialized once, for every sink');
});
