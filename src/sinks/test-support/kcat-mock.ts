import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { stopChild } from './stop-child.ts';

export const KCAT = '/usr/bin/kcat';

export interface ConsumedMessage {
  partition: number;
  key: string;
  value: string;
  headers: string;
}

/**
 * Test helper: librdkafka's mock cluster hosted by `kcat -X test.mock.num.brokers=1`, with kcat itself
 * consuming `topic` from the beginning and printing every message (partition, key, headers, value).
 */
export class KcatMockCluster {
  readonly #topic: string;
  #child: ChildProcess | undefined;
  #stdout = '';
  bootstrap = '';

  constructor(topic: string) {
    this.#topic = topic;
  }

  async start(): Promise<void> {
    const child = spawn(
      KCAT,
      [
        '-b',
        'localhost:1',
        '-X',
        'test.mock.num.brokers=1',
        '-d',
        'mock',
        '-C',
        '-t',
        this.#topic,
        '-o',
        'beginning',
        '-u',
        '-f',
        '%p\t%k\t%h\t%s\n',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.#child = child;
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (this.#stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    for (let i = 0; i < 100 && !this.bootstrap; i++) {
      this.bootstrap = /bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(stderr)?.[1] ?? '';
      if (!this.bootstrap) await delay(50);
    }
    if (!this.bootstrap) throw new Error(`kcat mock cluster did not start: ${stderr.slice(0, 500)}`);
  }

  /** Messages kcat consumed, waiting (bounded) until there are at least `count`. */
  async consumed(count: number): Promise<ConsumedMessage[]> {
    let messages: ConsumedMessage[] = [];
    for (let i = 0; i < 200; i++) {
      messages = this.#stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [partition, key, headers, value] = line.split('\t');
          return { partition: Number(partition), key: key ?? '', headers: headers ?? '', value: value ?? '' };
        });
      if (messages.length >= count) break;
      await delay(50);
    }
    return messages;
  }

  stop(): Promise<void> {
    return stopChild(this.#child);
  }
}
