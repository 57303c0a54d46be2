import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createPrettyLogger } from './pretty-logger.ts';
import { StatusLine } from './status-line.ts';

test('log lines scroll above the status line, which is redrawn after each of them; pretty logs are one line, secrets redacted', async () => {
  const out = new PassThrough();
  let screen = '';
  out.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const status = new StatusLine(out);
  status.set('2 tenant(s): 10 blobs listed');
  const logger = createPrettyLogger('info', status.logStream);
  logger.info({ tenant: 'contoso', client_secret: 'hunter2' }, 'subscription enabled');
  status.set('2 tenant(s): 12 blobs listed');
  status.end();
  await new Promise((r) => setImmediate(r));
  assert.doesNotMatch(screen, /hunter2/);
  const CLEAR = '\r\x1b[2K';
  const logAt = screen.indexOf('subscription enabled');
  assert.ok(logAt > 0, screen);
  const before = screen.slice(0, logAt);
  assert.ok(before.endsWith(`${CLEAR}${before.slice(before.lastIndexOf(CLEAR) + CLEAR.length)}`));
  assert.ok(before.includes(`10 blobs listed${CLEAR}`), 'the status line is cleared before the log line is written');
  const logLine = screen.slice(logAt).split('\n')[0] ?? '';
  assert.match(logLine, /subscription enabled.*tenant.*contoso.*client_secret.*\[redacted\]/, 'one line with its fields');
  assert.ok(screen.includes(`\n2 tenant(s): 10 blobs listed${CLEAR}2 tenant(s): 12 blobs listed\n`), JSON.stringify(screen));
});
