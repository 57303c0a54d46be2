import { Writable } from 'node:stream';

const CLEAR = '\r\x1b[2K';

/**
 * One line at the bottom of a terminal that is redrawn in place (progress), with log lines scrolling above it:
 * `logStream` clears the line, writes the log text, then draws the line again.
 */
export class StatusLine {
  readonly #out: NodeJS.WritableStream;
  #text = '';

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
  }

  set(text: string): void {
    const columns = (this.#out as { columns?: number }).columns ?? 160;
    this.#text = text.length > columns - 1 ? `${text.slice(0, columns - 2)}…` : text;
    this.#out.write(`${CLEAR}${this.#text}`);
  }

  /** Leaves the last text on screen and moves below it. */
  end(): void {
    if (this.#text) this.#out.write('\n');
    this.#text = '';
  }

  readonly logStream: Writable = new Writable({
    write: (chunk: Buffer | string, _encoding, done) => {
      this.#out.write(this.#text ? `${CLEAR}${chunk.toString()}${this.#text}` : chunk.toString());
      done();
    },
  });
}
