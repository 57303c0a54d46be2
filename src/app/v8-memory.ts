import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings `o365-intake run` applies to itself, each measured (bench/memory.bench.ts, bench/tenants.bench.ts):
 * - `--heap-growing-percent=20`: the heap may grow 20% past what the last full collection kept. V8's own factor (up to
 *   4×) let the heap reach 380 MB of mostly garbage for 70–120 MB live with 1000 tenants, and 250 MB while streaming a
 *   200 MB blob; the idle heap now shrinks back too. Costs some CPU in more frequent full collections.
 * - `--liftoff-only`: undici's HTTP parser (llhttp, WebAssembly) stays in V8's baseline compiler; optimizing it took a
 *   ~30 MB burst of native memory at the first requests, for no measurable parsing speed (bodies pass through unparsed).
 * V8 reads both when it uses them (each collection, each compilation), so setting them once the process runs works.
 */
export const V8_MEMORY_FLAGS = ['--heap-growing-percent=20', '--liftoff-only'] as const;

/** `--no-liftoff-only`, `--liftoff_only`, `--heap-growing-percent=5` → `liftoff-only`, `heap-growing-percent`. */
const flagName = (arg: string): string =>
  arg
    .replace(/^--(no-)?/, '')
    .replace(/=.*$/, '')
    .replaceAll('_', '-');

/**
 * Applies V8_MEMORY_FLAGS to this process, except a flag node was started with in any form (`--heap-growing-percent=0`
 * restores V8's default growth, `--no-liftoff-only` its optimizing compiler). Returns the flags applied.
 */
export function applyV8MemoryFlags(execArgv: readonly string[] = process.execArgv): string[] {
  const given = new Set(execArgv.filter((arg) => arg.startsWith('--')).map(flagName));
  const applied = V8_MEMORY_FLAGS.filter((flag) => !given.has(flagName(flag)));
  for (const flag of applied) setFlagsFromString(flag);
  return applied;
}
