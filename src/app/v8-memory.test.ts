import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { applyV8MemoryFlags } from './v8-memory.ts';

const churn = new URL('./testing/memory-churn.ts', import.meta.url).pathname;
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;

function measure(nodeFlags: string[], apply: boolean, workload: 'heap' | 'http'): { heapPeak: number; hwm: number } {
  const res = spawnSync(process.execPath, [...nodeFlags, '--import', 'tsx', churn, apply ? 'apply' : 'none', workload], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as { heapPeak: number; hwm: number };
}

test('a V8 memory flag node was started with is kept, in any spelling', () => {
  assert.deepEqual(applyV8MemoryFlags(['--heap-growing-percent=0', '--no-liftoff-only']), []);
  assert.deepEqual(applyV8MemoryFlags(['--heap_growing_percent=50']), ['--liftoff-only']);
  assert.deepEqual(applyV8MemoryFlags(['--max-old-space-size=512']), ['--heap-growing-percent=20', '--liftoff-only']);
});

test('with the flags, garbage is collected before the heap grows far past what is live', { timeout: 120_000 }, () => {
  const v8Default = measure([], false, 'heap').heapPeak;
  const applied = measure([], true, 'heap').heapPeak;
  const kept = measure(['--heap-growing-percent=0'], true, 'heap').heapPeak;
  assert.ok(applied < v8Default * 0.8, `peak heap ${mb(applied)} with the flags, ${mb(v8Default)} without`);
  assert.ok(kept > applied * 1.25, `node's own --heap-growing-percent=0 is kept: ${mb(kept)} vs ${mb(applied)}`);
});

test('with the flags, compiling the HTTP parser does not take a burst of native memory', { timeout: 120_000 }, () => {
  const v8Default = measure([], false, 'http').hwm;
  const applied = measure([], true, 'http').hwm;
  assert.ok(applied < v8Default - 15 * 1048576, `peak RSS ${mb(applied)} with the flags, ${mb(v8Default)} without`);
});
