import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from './pipeline.ts';
import { KindFilterSink } from '../sinks/kind-filter.ts';
import { silentLogger } from '../observability/logger.ts';
import type { OutputEvent, OutputKind } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';
import type { SourceRecord } from '../core/source-record.ts';
import type { ProcessedEvent } from '../core/processed-event.ts';
import type { Alert } from '../core/alert.ts';

class MemorySink implements Sink {
  readonly written: OutputEvent[] = [];
  opened: string | undefined = 'never';
  failNext = false;
  constructor(readonly name: string) {}
  async open(position?: string) {
    this.opened = position;
  }
  async write(events: readonly OutputEvent[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('down');
    }
    this.written.push(...events);
  }
  position() {
    return String(this.written.length);
  }
  async close() {}
}

const routed = (sink: Sink, ...kinds: OutputKind[]): Sink => new KindFilterSink(sink, kinds);
const source = (record: Record<string, unknown>): SourceRecord => ({
  tenantId: 'tid',
  tenantName: 'contoso',
  source: 'management-api',
  contentType: 'Audit.Exchange',
  contentId: 'c1',
  record,
});
const logon = (id: string) =>
  source({
    Id: id,
    CreationTime: '2024-05-01T10:00:00',
    RecordType: 15,
    Operation: 'UserLoginFailed',
    Workload: 'AzureActiveDirectory',
    UserId: 'eve@contoso.com',
    ClientIP: '203.0.113.9',
    ResultStatus: 'Success',
    OrganizationId: 'tid',
  });

test('valid records become ECS events on every event sink; malformed ones go to the dead-letter sink only', async () => {
  const events = new MemorySink('file');
  const dead = new MemorySink('dead-letter');
  const pipeline = new Pipeline({
    sinks: [routed(events, 'event', 'alert'), routed(dead, 'dead-letter')],
    format: 'ecs',
    logger: silentLogger,
  });
  assert.deepEqual(await pipeline.open({ file: '7' }), { file: '0', 'dead-letter': '0' }, 'positions right after open');
  assert.equal(events.opened, '7');
  const positions = await pipeline.exclusive((deliver) => deliver([logon('a'), source({ Id: 'b' }), logon('c')]));
  assert.deepEqual(
    events.written.map((e) => e.id),
    ['tid:a', 'tid:c'],
  );
  const first = events.written[0]!.document as Record<string, any>;
  assert.equal(first['@timestamp'], '2024-05-01T10:00:00Z');
  assert.equal(first.source.ip, '203.0.113.9');
  assert.equal(first.labels.tenant, 'contoso');
  assert.equal(events.written[0]!.time, Date.parse('2024-05-01T10:00:00Z'));
  assert.equal(dead.written.length, 1);
  assert.match(String((dead.written[0]!.document as any).error.message), /CreationTime/);
  assert.deepEqual((dead.written[0]!.document as any).raw, { Id: 'b' });
  assert.deepEqual(positions, { file: '2', 'dead-letter': '1' });
});

test('raw and both formats', async () => {
  const raw = new MemorySink('raw');
  await new Pipeline({ sinks: [routed(raw, 'event')], format: 'raw', logger: silentLogger }).exclusive((d) => d([logon('a')]));
  assert.equal((raw.written[0]!.document as any).Operation, 'UserLoginFailed');
  assert.equal((raw.written[0]!.document as any).event, undefined);
  const both = new MemorySink('both');
  await new Pipeline({ sinks: [routed(both, 'event')], format: 'both', logger: silentLogger }).exclusive((d) => d([logon('a')]));
  const doc = both.written[0]!.document as any;
  assert.equal(JSON.parse(doc.event.original).Id, 'a');
  assert.equal(doc.event.action, 'UserLoginFailed');
});

test('a failing sink rejects the delivery so the caller commits nothing', async () => {
  const ok = new MemorySink('ok');
  const down = new MemorySink('down');
  down.failNext = true;
  const pipeline = new Pipeline({ sinks: [routed(ok, 'event'), routed(down, 'event')], format: 'ecs', logger: silentLogger });
  await assert.rejects(
    pipeline.exclusive((d) => d([logon('a')])),
    /down/,
  );
  await pipeline.exclusive((d) => d([logon('a')]));
  assert.deepEqual(
    down.written.map((e) => e.id),
    ['tid:a'],
  );
});

test('a failed delivery rolls the detector back, so the retried batch does not count twice in correlations', async () => {
  const down = new MemorySink('down');
  down.failNext = true;
  const calls: string[] = [];
  const detector = {
    process: () => {
      calls.push('process');
      return [];
    },
    flush: () => [],
    rollback: () => calls.push('rollback'),
  };
  const pipeline = new Pipeline({ sinks: [routed(down, 'event')], format: 'ecs', logger: silentLogger, detector });
  await assert.rejects(
    pipeline.exclusive((d) => d([logon('a')])),
    /down/,
  );
  await pipeline.exclusive((d) => d([logon('a')]));
  assert.deepEqual(calls, ['process', 'rollback', 'process']);
});

test('detector alerts reach the store and alert sinks; a detector crash does not lose the event', async () => {
  const sink = new MemorySink('s');
  const stored: { events: ProcessedEvent[]; alerts: Alert[] } = { events: [], alerts: [] };
  let calls = 0;
  const detector = {
    flush: () => [],
    process(e: { id: string; tenantId: string; time: number }): Alert[] {
      calls++;
      if (calls === 2) throw new Error('bug');
      return [
        {
          id: `al-${e.id}`,
          ruleId: 'r1',
          title: 'Brute force',
          level: 'high',
          tags: [],
          attack: [],
          tenantId: e.tenantId,
          time: e.time,
          createdAt: 0,
          eventIds: [e.id],
        },
      ];
    },
  };
  const pipeline = new Pipeline({
    sinks: [routed(sink, 'event', 'alert')],
    format: 'ecs',
    logger: silentLogger,
    detector,
    store: { insertEvents: (e) => stored.events.push(...e), insertAlerts: (a) => stored.alerts.push(...a) },
  });
  await pipeline.exclusive((d) => d([logon('a'), logon('b')]));
  assert.deepEqual(
    sink.written.map((o) => `${o.kind}:${o.id}`),
    ['event:tid:a', 'event:tid:b', 'alert:al-tid:a'],
  );
  assert.equal(stored.events.length, 2);
  assert.equal(stored.alerts[0]?.tenantName, 'contoso');
  assert.equal((sink.written[2]!.document as any).rule.name, 'Brute force');
});

test('exclusive() runs one delivery at a time', async () => {
  const pipeline = new Pipeline({ sinks: [], format: 'ecs', logger: silentLogger });
  const order: string[] = [];
  await Promise.all([
    pipeline.exclusive(async () => {
      order.push('a1');
      await new Promise((r) => setTimeout(r, 20));
      order.push('a2');
    }),
    pipeline.exclusive(async () => {
      order.push('b1');
      order.push('b2');
    }),
  ]);
  assert.deepEqual(order, ['a1', 'a2', 'b1', 'b2']);
});

test('alerts from closed correlation windows are stored at once and reach the sinks with the next batch', async () => {
  const sink = new MemorySink('s');
  const stored: Alert[] = [];
  const closing: Alert = {
    id: 'corr-1',
    ruleId: 'spray',
    title: 'Password spray',
    level: 'high',
    tags: [],
    attack: [],
    tenantId: 'tid',
    time: 1,
    createdAt: 2,
    eventIds: ['tid:a'],
  };
  let flushes = 0;
  const detector = { process: () => [], flush: () => (flushes++ === 0 ? [closing] : []) };
  const pipeline = new Pipeline({
    sinks: [routed(sink, 'event', 'alert')],
    format: 'ecs',
    logger: silentLogger,
    detector,
    store: { insertEvents: () => {}, insertAlerts: (a) => stored.push(...a) },
  });
  assert.equal(await pipeline.flushDetections(), 1);
  assert.deepEqual(
    stored.map((a) => a.id),
    ['corr-1'],
  );
  assert.equal(sink.written.length, 0);
  await pipeline.exclusive((d) => d([logon('a')]));
  assert.deepEqual(
    sink.written.map((o) => `${o.kind}:${o.id}`),
    ['event:tid:a', 'alert:corr-1'],
  );
  await pipeline.exclusive((d) => d([logon('b')]));
  assert.deepEqual(
    sink.written.map((o) => o.id),
    ['tid:a', 'corr-1', 'tid:b'],
  );
});

test('enrichment runs after normalization and before detection', async () => {
  const sink = new MemorySink('s');
  const seen: unknown[] = [];
  const detector = {
    flush: () => [],
    process: (e: { ecs: Record<string, any> }) => {
      seen.push(e.ecs.source?.geo?.country_iso_code);
      return [];
    },
  };
  const enrich = (ecs: Record<string, any>) => {
    ecs.source = { ...ecs.source, geo: { country_iso_code: 'FR' } };
  };
  await new Pipeline({ sinks: [sink], format: 'ecs', logger: silentLogger, detector, enrich }).exclusive((d) => d([logon('a')]));
  assert.deepEqual(seen, ['FR']);
  assert.equal((sink.written[0]!.document as any).source.geo.country_iso_code, 'FR');
  assert.equal((sink.written[0]!.document as any).source.ip, '203.0.113.9');
});

test('a failed delivery or checkpoint rolls local outputs back, so the retry writes each event once', async () => {
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { FileSink } = await import('../sinks/file.ts');
  const path = join(mkdtempSync(join(tmpdir(), 'pl-')), 'out.ndjson');
  const file = new FileSink({ name: 'file', path, logger: silentLogger });
  const flaky = new MemorySink('flaky');
  const pipeline = new Pipeline({ sinks: [file, flaky], format: 'raw', logger: silentLogger });
  await pipeline.open({});
  await pipeline.exclusive((d) => d([logon('a')]));
  flaky.failNext = true;
  await assert.rejects(
    pipeline.exclusive((d) => d([logon('b')])),
    /down/,
  );
  await assert.rejects(
    pipeline.exclusive(async (d) => {
      await d([logon('b')]);
      throw new Error('checkpoint commit failed');
    }),
    /checkpoint commit failed/,
  );
  await pipeline.exclusive((d) => d([logon('b')]));
  await pipeline.close();
  const ids = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l).Id);
  assert.deepEqual(ids, ['a', 'b']);
});

test('if uncommitted output cannot be rolled back, the pipeline stops and reports it', async () => {
  const sink = new MemorySink('stuck');
  sink.open = async () => {
    if (sink.written.length > 0) throw new Error('disk gone');
  };
  const fatal: Error[] = [];
  const pipeline = new Pipeline({ sinks: [sink], format: 'raw', logger: silentLogger, onFatal: (e) => fatal.push(e) });
  await assert.rejects(
    pipeline.exclusive(async (d) => {
      await d([logon('a')]);
      throw new Error('commit failed');
    }),
    /commit failed/,
  );
  assert.equal(fatal.length, 1);
  assert.match(fatal[0]!.message, /sink stuck: cannot roll back uncommitted output \(disk gone\)/);
  await assert.rejects(
    pipeline.exclusive((d) => d([logon('b')])),
    /restart to recover/,
  );
});

test('filtered records are dropped before normalization, storage and sinks', async () => {
  const sink = new MemorySink('s');
  const stored: ProcessedEvent[] = [];
  const keep = (record: Record<string, unknown>) => record.Id !== 'noise';
  const pipeline = new Pipeline({
    sinks: [sink],
    format: 'raw',
    logger: silentLogger,
    keep,
    store: { insertEvents: (e) => stored.push(...e), insertAlerts: () => {} },
  });
  await pipeline.exclusive((d) => d([logon('a'), logon('noise'), logon('b')]));
  assert.deepEqual(
    sink.written.map((o) => o.id),
    ['tid:a', 'tid:b'],
  );
  assert.deepEqual(
    stored.map((e) => e.id),
    ['tid:a', 'tid:b'],
  );
});

test('an alert document carries its entity and grouping', async () => {
  const { alertDocument } = await import('./documents.ts');
  const doc = alertDocument({
    id: 'g1',
    ruleId: 'r',
    title: 'Brute force',
    level: 'medium',
    tags: [],
    attack: [],
    tenantId: 'tid',
    time: Date.UTC(2026, 0, 1, 1),
    createdAt: 0,
    eventIds: ['tid:a', 'tid:b'],
    entity: { kind: 'user', value: 'alice@contoso.com' },
    count: 14,
    firstSeen: Date.UTC(2026, 0, 1, 0),
    lastSeen: Date.UTC(2026, 0, 1, 1),
  }).document as { alert: Record<string, unknown> };
  assert.deepEqual(doc.alert.entity, { kind: 'user', value: 'alice@contoso.com' });
  assert.equal(doc.alert.count, 14);
  assert.equal(doc.alert.first_seen, '2026-01-01T00:00:00.000Z');
  assert.equal(doc.alert.last_seen, '2026-01-01T01:00:00.000Z');
});

test('a sink failing on a full disk pauses the sources (ready() waits) until the folder has free space again', async () => {
  const { StorageFullError } = await import('../sinks/disk-full.ts');
  const { tmpdir } = await import('node:os');
  class FullSink extends MemorySink {
    full = true;
    override async write(events: readonly OutputEvent[]) {
      if (this.full) throw new StorageFullError(this.name, tmpdir(), 'no space left on device');
      await super.write(events);
    }
  }
  const sink = new FullSink('file');
  // More free space than any disk has: "still full" on every check, until the test lowers it.
  const options = {
    sinks: [sink],
    format: 'raw' as const,
    logger: silentLogger,
    storageRetryMs: 10,
    storageMinFreeBytes: Number.MAX_SAFE_INTEGER,
  };
  const pipeline = new Pipeline(options);
  await pipeline.open({});
  await pipeline.ready(); // nothing failed yet: at once
  await assert.rejects(
    pipeline.exclusive((deliver) => deliver([logon('r1')])),
    StorageFullError,
  );
  assert.match(pipeline.paused()?.message ?? '', /no space left/);
  let resumed = false;
  const waiting = pipeline.ready().then(() => (resumed = true));
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(resumed, false, 'still paused while the disk is full');
  sink.full = false;
  options.storageMinFreeBytes = 0;
  await waiting;
  assert.equal(pipeline.paused(), undefined);
  await pipeline.exclusive((deliver) => deliver([logon('r1')]));
  assert.equal(sink.written.length, 1);
});

test('identical bad elements of one blob get distinct dead-letter ids, the same ones when the blob is delivered again', async () => {
  const dead = new MemorySink('dead-letter');
  const pipeline = new Pipeline({ sinks: [routed(dead, 'dead-letter')], format: 'ecs', logger: silentLogger });
  const blob = () => [source(null as never), logon('ok'), source(null as never), source({ Id: 'no-time' })];
  await pipeline.exclusive((deliver) => deliver(blob()));
  const first = dead.written.map((o) => o.id);
  assert.equal(first.length, 3);
  assert.equal(new Set(first).size, 3, 'one id per bad element');
  dead.written.length = 0;
  await pipeline.exclusive((deliver) => deliver(blob()));
  assert.deepEqual(
    dead.written.map((o) => o.id),
    first,
  );
});

test('a store that writes in the background: the sinks write meanwhile, and the delivery resolves only once the store committed the batch', async () => {
  const steps: string[] = [];
  let failFlush: Error | undefined;
  let commit: () => void = () => {};
  const store = {
    insertEvents: (events: ProcessedEvent[]) => steps.push(`store queued ${events.length}`),
    insertAlerts: () => {},
    flush: () =>
      new Promise<void>((resolve, reject) => {
        commit = () => {
          steps.push('store committed');
          if (failFlush) reject(failFlush);
          else resolve();
        };
      }),
  };
  const sink = new MemorySink('file');
  const write = sink.write.bind(sink);
  sink.write = async (events) => {
    steps.push('sink written');
    await write(events);
  };
  const pipeline = new Pipeline({ sinks: [routed(sink, 'event')], format: 'ecs', logger: silentLogger, store });
  const collect = () =>
    pipeline.exclusive(async (deliver) => {
      let resolved = false;
      const delivered = deliver([logon('a'), logon('b')]).then((positions) => {
        resolved = true;
        return positions;
      });
      delivered.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 20));
      steps.push(resolved ? 'delivery resolved before the store committed' : 'store still writing');
      commit();
      await delivered;
      steps.push('checkpoint committed');
    });
  await collect();
  assert.deepEqual(steps, ['store queued 2', 'sink written', 'store still writing', 'store committed', 'checkpoint committed']);

  steps.length = 0;
  failFlush = new Error('PostgreSQL is away');
  await assert.rejects(collect(), /PostgreSQL is away/);
  assert.deepEqual(
    steps,
    ['store queued 2', 'sink written', 'store still writing', 'store committed'],
    'no checkpoint for events the store does not hold',
  );

  steps.length = 0;
  failFlush = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  await assert.rejects(
    collect(),
    (err: Error) => err.name === 'StorageFullError' && /cannot write to the store/.test(err.message),
  );
  assert.match(pipeline.storeFailure()?.message ?? '', /disk is full/, 'the health page names the store');
  assert.ok(pipeline.paused(), 'collection pauses while the store cannot be written');
});

test('the store keeps the ECS document the sinks receive, serialized once for both (and in format raw, the same shape)', async () => {
  for (const format of ['ecs', 'raw'] as const) {
    const stored: ProcessedEvent[] = [];
    const sink = new MemorySink('file');
    const pipeline = new Pipeline({
      sinks: [routed(sink, 'event')],
      format,
      logger: silentLogger,
      store: { insertEvents: (e) => stored.push(...e), insertAlerts: () => {} },
    });
    await pipeline.exclusive((d) => d([logon('a')]));
    const text = stored[0]?.ecsText ?? '';
    const doc = JSON.parse(text) as { message?: string; event?: { id?: string }; observer?: unknown; labels?: unknown };
    assert.equal(doc.event?.id, 'tid:a', format);
    assert.equal(doc.message, stored[0]?.description, format);
    assert.deepEqual(doc.labels, { tenant: 'contoso', content_type: 'Audit.Exchange' }, format);
    if (format === 'ecs') assert.equal(text, sink.written[0]?.json, 'the very text the sinks got');
    else assert.deepEqual(sink.written[0]?.document, logon('a').record, 'raw sinks still get the raw record');
  }
});
