import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const root = new URL('../..', import.meta.url).pathname;

/** A fresh bench folder with the emulator's CA (`ca.pem`) and `config.yaml` = `config(output)`; output is its NDJSON file. */
export function collectorDir(prefix: string, caPem: string, config: (output: string) => string): { dir: string; output: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'ca.pem'), caPem);
  const output = join(dir, 'events.ndjson');
  writeFileSync(join(dir, 'config.yaml'), config(output));
  return { dir, output };
}

/**
 * Node flags for the collector: BENCH_NODE_OPTIONS (e.g. --heap-growing-percent=0, --heapsnapshot-signal, or
 * --import=<abs path>/bench/support/memory-probe.mjs) and, with `profile`, BENCH_CPU_PROF=<folder> (node --cpu-prof there).
 */
export function collectorNodeFlags(options: { profile?: boolean } = {}): string[] {
  return [
    ...(options.profile && process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
    ...(process.env.BENCH_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []),
  ];
}

export interface CollectorProcess {
  readonly child: ChildProcessByStdio<null, null, Readable>;
  readonly pid: number;
  /** The last 4,000 characters the collector wrote to stderr (its JSON log). */
  stderrTail(): string;
  /** Throws, with the stderr tail, when the collector has exited. */
  assertRunning(): void;
  /** SIGTERM (unless already gone) and wait for the exit. */
  stop(): Promise<void>;
}

/** `o365-intake run -c <dir>/config.yaml` from the compiled build (bin/), JSON logs, in `dir`. */
export function spawnCollector(dir: string, flags: readonly string[]): CollectorProcess {
  const child = spawn(
    process.execPath,
    [...flags, join(root, 'bin/o365-intake.mjs'), 'run', '-c', join(dir, 'config.yaml'), '--log-format', 'json'],
    { cwd: dir, env: { ...process.env, O365_INTAKE_FROM_SOURCE: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  return {
    child,
    pid: child.pid ?? 0,
    stderrTail: () => stderr,
    assertRunning() {
      if (child.exitCode !== null) throw new Error(`o365-intake exited with ${child.exitCode}: ${stderr}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
