import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordingServer } from '../sinks/test-support/recording-server.ts';
import { tempDir, testEvent } from '../sinks/test-support/events.ts';

const bin = new URL('../../bin/o365-intake.mjs', import.meta.url).pathname;

function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

test('o365-intake dead-letter replay --sink NAME: sends the events again, reports counts, keeps what fails again', async () => {
  const server = new RecordingServer();
  const url = await server.start();
  let down = false;
  const received: string[] = [];
  server.handler = (req) => {
    if (down) return { status: 503, body: 'maintenance' };
    const doc = JSON.parse(req.body.trim()) as { Id: string };
    if (doc.Id === '4') return { status: 400, body: 'field "pad" is not allowed' };
    received.push(doc.Id);
    return { status: 200, body: {} };
  };
  const dir = tempDir('replay');
  const file = join(dir, 'dead-letter', 'hook.ndjson');
  mkdirSync(join(dir, 'dead-letter'));
  const entries = [1, 2, 3, 4].map((n) => ({
    at: 'x',
    sink: 'hook',
    reason: 'rejected',
    detail: 'HTTP 401',
    event: testEvent(n),
  }));
  const raw = { at: 'x', sink: 'hook', reason: 'spool_corrupt', detail: 'checksum', raw: 'AAEC' };
  writeFileSync(file, `${[...entries, raw].map((e) => JSON.stringify(e)).join('\n')}\n`);
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `data_dir: ${dir}`,
      'sinks:',
      '  - type: http',
      '    name: hook',
      `    url: ${url}/hook`,
      '    max_batch_events: 1',
      '    retry: { max_attempts: 2, initial_backoff: 5ms, max_backoff: 10ms }',
      '',
    ].join('\n'),
  );
  try {
    const first = await run(['dead-letter', 'replay', '--sink', 'hook', '-c', config]);
    assert.equal(first.status, 1, first.stderr);
    assert.match(first.stdout, /4 event\(s\) replayed: 3 delivered, 1 refused again, 1 kept/);
    assert.deepEqual(received, ['1', '2', '3']);
    const left = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; detail: string; event?: { id: string }; raw?: string });
    assert.deepEqual(left.map((e) => [e.reason, e.event?.id ?? e.raw]).sort(), [
      ['rejected', 't:4'],
      ['spool_corrupt', 'AAEC'],
    ]);
    assert.match(left.find((e) => e.event)?.detail ?? '', /HTTP 400/, 'refused again, with the new reason');

    down = true;
    const second = await run(['dead-letter', 'replay', '--sink', 'hook', '-c', config]);
    assert.equal(second.status, 1);
    assert.match(second.stdout, /1 event\(s\) replayed: 0 delivered, 0 refused again, 2 kept/);
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2, 'nothing lost while the destination is down');

    const unknown = await run(['dead-letter', 'replay', '--sink', 'nope', '-c', config]);
    assert.notEqual(unknown.status, 0);
    assert.match(unknown.stderr, /no sink named "nope" \(configured: hook\)/);
    assert.ok(existsSync(file));
  } finally {
    await server.stop();
  }
});
