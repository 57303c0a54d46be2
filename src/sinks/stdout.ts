import type { Writable } from 'node:stream';
import { documentJson, type OutputEvent } from '../core/output-event.ts';
import type { Sink } from '../core/sink.ts';

/** Writes one JSON document per line to standard output; acknowledges once the stream accepted the bytes. */
export class StdoutSink implements Sink {
  readonly name: string;
  readonly #out: Writable;

  constructor(name: string, out: Writable = process.stdout) {
    this.name = name;
    this.#out = out;
  }

  async open(): Promise<void> {}

  write(events: readonly OutputEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const text = `${events.map(documentJson).join('\n')}\n`;
    return new Promise((resolve, reject) => this.#out.write(text, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {}
}
