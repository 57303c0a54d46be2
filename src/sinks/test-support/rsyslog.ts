import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stopChild } from './stop-child.ts';

export const RSYSLOGD = '/usr/sbin/rsyslogd';

/** Test helper: a real rsyslogd on 127.0.0.1 (TCP and UDP, ports chosen by the kernel) writing parsed fields to a file. */
export class Rsyslog {
  readonly #dir: string;
  #child: ChildProcess | undefined;
  tcpPort = 0;
  udpPort = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get outFile(): string {
    return join(this.#dir, 'out.log');
  }

  async start(): Promise<void> {
    const d = this.#dir;
    writeFileSync(
      join(d, 'rsyslog.conf'),
      [
        `global(workDirectory="${d}" maxMessageSize="256k")`,
        'module(load="imtcp")',
        'module(load="imudp")',
        `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${d}/tcp.port")`,
        'input(type="imudp" address="127.0.0.1" port="0")',
        'template(name="fields" type="string" string="%pri%|%timereported:::date-rfc3339%|%hostname%|%app-name%|%procid%|%msgid%|%structured-data%|%msg%\\n")',
        `action(type="omfile" file="${d}/out.log" template="fields")`,
      ].join('\n'),
    );
    this.#child = spawn(RSYSLOGD, ['-n', '-f', join(d, 'rsyslog.conf'), '-i', join(d, 'rsyslogd.pid')], { stdio: 'ignore' });
    for (let i = 0; i < 100 && (!this.tcpPort || !this.udpPort); i++) {
      await delay(50);
      if (existsSync(join(d, 'tcp.port'))) this.tcpPort = Number(readFileSync(join(d, 'tcp.port'), 'utf8').trim());
      this.udpPort = this.#udpPort();
    }
    if (!this.tcpPort || !this.udpPort) throw new Error('rsyslogd did not start listening');
  }

  /** The UDP port rsyslogd bound: its socket inodes matched against /proc/net/udp. */
  #udpPort(): number {
    const pid = this.#child?.pid;
    if (!pid) return 0;
    const inodes = new Set(
      readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          return m ? [m[1]] : [];
        } catch {
          return [];
        }
      }),
    );
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[9] && inodes.has(cols[9])) return parseInt(cols[1]?.split(':')[1] ?? '0', 16);
    }
    return 0;
  }

  /** Lines rsyslogd wrote, waiting (bounded) until there are at least `count`. */
  async lines(count: number): Promise<string[]> {
    let lines: string[] = [];
    for (let i = 0; i < 100; i++) {
      lines = existsSync(this.outFile) ? readFileSync(this.outFile, 'utf8').split('\n').filter(Boolean) : [];
      if (lines.length >= count) break;
      await delay(50);
    }
    return lines;
  }

  stop(): Promise<void> {
    return stopChild(this.#child);
  }
}
