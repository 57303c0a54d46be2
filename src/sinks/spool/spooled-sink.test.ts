import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { silentLogger } from '../../observability/logger.ts';
import { SekoiaSink } from '../sekoia/sekoia-sink.ts';
import { RecordingServer, type RecordedRequest } from '../test-support/recording-server.ts';
import { FAST_RETRY, sinkConfig, tempDir, testDeadLetter, testEvents } from '../test-support/events.ts';
import { SpooledSink } from './spooled-sink.ts';

/** A Sekoia intake that can be taken down (503 or dropped connections) and brought back. */
class Intake {
  readonly server = new RecordingServer();
  down: false | '503' | 'drop' = false;
  url = '';
  readonly #accepted: string[] = [];
  async start(): Promise<void> {
    this.url = await this.server.start();
    this.server.handler = (req) => {
      if (this.down === 'drop') return 'destroy';
      if (this.down === '503') return { status: 503, body: 'maintenance' };
      this.#accepted.push(...ids(req));
      return { status: 200, body: { event_ids: ids(req).map((id) => `uuid-${id}`) } };
    };
  }
  /** Ids the intake accepted, in arrival order. */
  accepted(): string[] {
    return [...this.#accepted];
  }
}

const ids = (req: RecordedRequest): string[] =>
  (JSON.parse(req.body) as { jsons: string[] }).jsons.map((j) => (JSON.parse(j) as { Id: string }).Id);

function spooled(intake: Intake, dir: string, maxBytes = 64 * 1024 * 1024): SpooledSink {
  const deadLetter = testDeadLetter(dir);
  const config = sinkConfig({
    type: 'sekoia',
    intake_key: 'k',
    intake_url: intake.url,
    gzip: false,
    retry: { ...FAST_RETRY, max_attempts: 2 },
  });
  const inner = new SekoiaSink({ name: 'sekoia', config, logger: silentLogger, deadLetter });
  return new SpooledSink(inner, {
    dir: join(dir, 'spool'),
    maxBytes,
    segmentBytes: 4096,
    initialBackoffMs: 5,
    maxBackoffMs: 20,
    logger: silentLogger,
    deadLetter,
    closeGraceMs: 200,
  });
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

test('a sink taken down mid-run loses nothing and duplicates nothing; order is kept', { timeout: 30_000 }, async (t) => {
  const intake = new Intake();
  await intake.start();
  t.after(() => intake.server.stop());
  const sink = spooled(intake, tempDir('spool'));
  await sink.open();
  for (let b = 0; b < 5; b++) await sink.write(testEvents(b * 10 + 1, 10));
  intake.down = '503';
  for (let b = 5; b < 10; b++) await sink.write(testEvents(b * 10 + 1, 10)); // acknowledged by the spool while the intake is down
  intake.down = 'drop';
  for (let b = 10; b < 15; b++) await sink.write(testEvents(b * 10 + 1, 10));
  while (intake.server.requests.length < 8) await tick();
  assert.ok(sink.stats().pendingBytes > 0, 'events are waiting in the spool');
  intake.down = false;
  for (let b = 15; b < 20; b++) await sink.write(testEvents(b * 10 + 1, 10));
  await sink.whenDrained();
  await sink.close();
  assert.deepEqual(intake.accepted(), range(1, 200));
  assert.equal(sink.stats().pendingBytes, 0);
});

test('the spool survives a restart and is drained afterwards', { timeout: 30_000 }, async (t) => {
  const intake = new Intake();
  await intake.start();
  t.after(() => intake.server.stop());
  const dir = tempDir('spool');
  intake.down = '503';
  const first = spooled(intake, dir);
  await first.open();
  await first.write(testEvents(1, 30));
  await first.write(testEvents(31, 30));
  const position = first.position();
  await first.close();
  assert.deepEqual(intake.accepted(), []);
  intake.down = false;
  const second = spooled(intake, dir);
  await second.open(position);
  await second.whenDrained();
  await second.write(testEvents(61, 5));
  await second.whenDrained();
  await second.close();
  assert.deepEqual(intake.accepted(), range(1, 65));
});

test('open(position) discards batches spooled after the committed position (exactly-once on restart)', {
  timeout: 30_000,
}, async (t) => {
  const intake = new Intake();
  await intake.start();
  t.after(() => intake.server.stop());
  const dir = tempDir('spool');
  intake.down = '503';
  const first = spooled(intake, dir);
  await first.open();
  await first.write(testEvents(1, 10));
  const committed = first.position();
  await first.write(testEvents(11, 10)); // crash before this batch's checkpoint: the collector will send it again
  await first.close();
  intake.down = false;
  const second = spooled(intake, dir);
  await second.open(committed);
  await second.write(testEvents(11, 10));
  await second.whenDrained();
  await second.close();
  assert.deepEqual(intake.accepted(), range(1, 20));
});

test('a full spool makes write wait (backpressure) instead of dropping', { timeout: 30_000 }, async (t) => {
  const intake = new Intake();
  await intake.start();
  t.after(() => intake.server.stop());
  intake.down = '503';
  const frameBytes = (from: number): number => 4 + Buffer.byteLength(JSON.stringify(testEvents(from, 20)));
  const sink = spooled(intake, tempDir('spool'), frameBytes(1) + frameBytes(21));
  await sink.open();
  await sink.write(testEvents(1, 20));
  await sink.write(testEvents(21, 20)); // the spool is full now
  let done = false;
  const third = sink.write(testEvents(41, 20)).then(() => (done = true));
  for (let i = 0; i < 50; i++) await tick();
  assert.equal(done, false, 'third write must wait for space');
  intake.down = false;
  await third;
  await sink.whenDrained();
  await sink.close();
  assert.deepEqual(intake.accepted(), range(1, 60));
});

test('close does not wait for a hanging destination; the batch stays spooled for the next start', {
  timeout: 30_000,
}, async (t) => {
  const { createServer } = await import('node:http');
  const hanging = createServer(() => undefined); // accepts, never answers
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        hanging.closeAllConnections();
        hanging.close(() => resolve());
      }),
  );
  const intake = new Intake();
  await intake.start();
  t.after(() => intake.server.stop());
  const dir = tempDir('spool');
  const port = (hanging.address() as { port: number }).port;
  const first = spooled({ ...intake, url: `http://127.0.0.1:${port}` } as Intake, dir);
  await first.open();
  await first.write(testEvents(1, 5));
  const position = first.position();
  await first.close(); // grace is 200 ms; the request would otherwise hang for the 30 s timeout
  const second = spooled(intake, dir);
  await second.open(position);
  await second.whenDrained();
  await second.close();
  assert.deepEqual(intake.accepted(), range(1, 5));
});
