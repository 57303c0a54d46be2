import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/o365-intake.mjs', import.meta.url));

/** The product (`o365-intake run -c config`) in its own process, for fault tests (tests only). */
export class ProductProcess {
  readonly child: ChildProcess;
  #output = '';
  readonly exited: Promise<number | null>;

  constructor(configPath: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, 'run', '-c', configPath, '--i-know'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    });
    this.child.stdout?.on('data', (b: Buffer) => (this.#output = (this.#output + b.toString()).slice(-200_000)));
    this.child.stderr?.on('data', (b: Buffer) => (this.#output = (this.#output + b.toString()).slice(-200_000)));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  /** The end of its logs, for assertion messages. */
  log(chars = 4000): string {
    return this.#output.slice(-chars);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<number | null> {
    if (!this.running) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Polls `check` every 100 ms until it returns a value (not undefined/false), at most `timeoutMs`. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each NDJSON line of a file parsed; lines that are not JSON are counted as corrupted. */
export function readNdjson(path: string): { docs: Array<Record<string, unknown>>; corrupted: number } {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { docs: [], corrupted: 0 };
  }
  const docs: Array<Record<string, unknown>> = [];
  let corrupted = 0;
  const lines = text.split('\n');
  if (lines.at(-1) !== '') corrupted += 1; // a last line without its newline is half a line
  for (const line of lines.slice(0, -1)) {
    try {
      docs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      corrupted += 1;
    }
  }
  return { docs, corrupted };
}

/** Missing, duplicated and unexpected ids of `seen` against `expected`: empty when every id is there exactly once. */
export function exactlyOnce(seen: readonly string[], expected: Iterable<string>): string[] {
  const wanted = new Set(expected);
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const problems: string[] = [];
  const missing = [...wanted].filter((id) => !counts.has(id));
  if (missing.length > 0) problems.push(`${missing.length} of ${wanted.size} missing (e.g. ${missing[0]})`);
  const dup = [...counts].filter(([, n]) => n > 1);
  if (dup.length > 0) problems.push(`${dup.length} duplicated (e.g. ${dup[0]?.[0]} ×${dup[0]?.[1]})`);
  const extra = [...counts.keys()].filter((id) => !wanted.has(id));
  if (extra.length > 0) problems.push(`${extra.length} unexpected (e.g. ${extra[0]})`);
  return problems;
}
