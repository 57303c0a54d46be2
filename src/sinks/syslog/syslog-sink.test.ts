import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { createServerCertificate } from '../../emulator/certificates.ts';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../observability/logger.ts';
import {
  FAST_RETRY,
  readDeadLetters,
  sinkConfig,
  tempDir,
  testDeadLetter,
  testEvent,
  testEvents,
} from '../test-support/events.ts';
import { Rsyslog, RSYSLOGD } from '../test-support/rsyslog.ts';
import { formatRfc5424, frame } from './rfc5424.ts';
import { SyslogSink } from './syslog-sink.ts';

const skip = existsSync(RSYSLOGD) ? false : `rsyslogd not installed (${RSYSLOGD}); apt-get install rsyslog`;

test('RFC 5424 line and octet-counting frame', () => {
  const line = formatRfc5424(testEvent(1), { facility: 'local0', hostname: 'collector 1', appName: 'o365-intake', procId: '42' });
  assert.equal(
    line,
    '<134>1 2026-11-24T12:00:01.000Z collector_1 o365-intake 42 event [o365intake@32473 id="t:1"] {"Id":"1","Operation":"UserLoggedIn"}',
  );
  assert.equal(frame('<134>1 é', 'octet-counting').toString(), '9 <134>1 é');
  const alert = { ...testEvent(2, 0, 'alert'), document: { level: 'high' } };
  assert.match(formatRfc5424(alert, { facility: 'auth', hostname: 'h', appName: 'a', procId: '1' }), /^<35>1 /);
});

for (const protocol of ['tcp', 'udp'] as const) {
  test(`delivers to a real rsyslogd over ${protocol}`, { skip, timeout: 30_000 }, async (t) => {
    const dir = tempDir('rsyslog');
    const rsyslog = new Rsyslog(dir);
    t.after(() => rsyslog.stop());
    await rsyslog.start();
    const deadLetter = testDeadLetter(dir);
    const config = sinkConfig({
      type: 'syslog',
      host: '127.0.0.1',
      port: protocol === 'tcp' ? rsyslog.tcpPort : rsyslog.udpPort,
      protocol,
      hostname: 'collector1',
      retry: FAST_RETRY,
      max_udp_bytes: 2048,
    });
    const sink = new SyslogSink({ name: 'syslog', config, logger: silentLogger, deadLetter });
    await sink.open();
    const events = [...testEvents(1, 3), testEvent(4, 3000), testEvent(5)];
    await sink.write(events);
    await sink.close();
    const expected = events.filter((e) => protocol === 'tcp' || e.id !== 't:4');
    const lines = await rsyslog.lines(expected.length);
    assert.deepEqual(
      lines.map((l) => l.split('|')),
      expected.map((e) => [
        '134',
        new Date(e.time).toISOString(),
        'collector1',
        'o365-intake',
        String(process.pid),
        'event',
        `[o365intake@32473 id="${e.id}"]`,
        JSON.stringify(e.document),
      ]),
    );
    assert.deepEqual(
      readDeadLetters(deadLetter).map((d) => [d.reason, d.event?.id]),
      protocol === 'udp' ? [['too_large', 't:4']] : [],
    );
  });
}

test('TCP: reconnects and retries when the server drops the connection', { timeout: 30_000 }, async (t) => {
  const received: string[] = [];
  const sockets: Socket[] = [];
  let accepted = 0;
  const server = createServer((socket) => {
    sockets.push(socket);
    if (accepted++ === 0) return socket.destroy();
    socket.on('data', (d) => received.push(d.toString()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const config = sinkConfig({
    type: 'syslog',
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    protocol: 'tcp',
    hostname: 'h',
    retry: FAST_RETRY,
  });
  const sink = new SyslogSink({ name: 'syslog', config, logger: silentLogger, deadLetter: testDeadLetter(tempDir('sl')) });
  await sink.open();
  for (let i = 0; i < 50 && accepted === 0; i++) await sink.write([testEvent(1)]).catch(() => undefined);
  await sink.write([testEvent(2)]);
  await sink.close();
  for (let i = 0; i < 50 && !received.join('').includes('"Id":"2"'); i++) await new Promise((r) => setTimeout(r, 20));
  assert.match(received.join(''), /^\d+ <134>1 .*"Id":"2"/s);
});

/** Splits an RFC 6587 octet-counted stream into messages. */
function unframe(stream: Buffer): string[] {
  const messages: string[] = [];
  for (let offset = 0; offset < stream.length; ) {
    const space = stream.indexOf(0x20, offset);
    const length = Number(stream.subarray(offset, space).toString());
    messages.push(stream.subarray(space + 1, space + 1 + length).toString('utf8'));
    offset = space + 1 + length;
  }
  return messages;
}

test('TLS: verifies the server against ca_file and sends octet-counted RFC 5424', { timeout: 30_000 }, async (t) => {
  const cert = await createServerCertificate();
  const dir = tempDir('sl-tls');
  writeFileSync(join(dir, 'ca.pem'), cert.certificatePem);
  const chunks: Buffer[] = [];
  const server = createTlsServer({ cert: cert.certificatePem, key: cert.privateKeyPem }, (socket) =>
    socket.on('data', (d: Buffer) => chunks.push(d)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const config = sinkConfig({
    type: 'syslog',
    host: '127.0.0.1',
    port,
    protocol: 'tls',
    hostname: 'h',
    tls: { ca_file: join(dir, 'ca.pem') },
    retry: FAST_RETRY,
  });
  const sink = new SyslogSink({ name: 'syslog', config, logger: silentLogger, deadLetter: testDeadLetter(dir) });
  await sink.open();
  await sink.write([testEvent(1), { ...testEvent(2), document: { text: 'héllo' } }]);
  await sink.close();
  for (let i = 0; i < 100 && unframe(Buffer.concat(chunks)).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(unframe(Buffer.concat(chunks)), [
    `<134>1 2026-11-24T12:00:01.000Z h o365-intake ${process.pid} event [o365intake@32473 id="t:1"] {"Id":"1","Operation":"UserLoggedIn"}`,
    `<134>1 2026-11-24T12:00:02.000Z h o365-intake ${process.pid} event [o365intake@32473 id="t:2"] {"text":"héllo"}`,
  ]);

  const untrusted = new SyslogSink({
    name: 'syslog',
    config: sinkConfig({ type: 'syslog', host: '127.0.0.1', port, protocol: 'tls', retry: { ...FAST_RETRY, max_attempts: 1 } }),
    logger: silentLogger,
    deadLetter: testDeadLetter(dir),
  });
  await assert.rejects(untrusted.write([testEvent(3)]), /self-signed|certificate/);
  await untrusted.close();
});
