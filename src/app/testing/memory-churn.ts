// Child process of v8-memory.test.ts; prints {heapPeak, hwm} in bytes. argv[2] 'apply' applies the V8 memory flags first;
// argv[3] is the workload: 'heap' keeps ~40 MB live while allocating ~500 MB of short-lived objects (largest V8 heap
// seen), 'http' makes 300 loopback requests with undici (its WebAssembly HTTP parser gets compiled).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { applyV8MemoryFlags } from '../v8-memory.ts';

if (process.argv[2] === 'apply') applyV8MemoryFlags();
let heapPeak = 0;
if (process.argv[3] === 'http') {
  const server = createServer((_, res) => res.end(`[${'1,'.repeat(1000)}1]`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  for (let i = 0; i < 300; i++) await (await request(url)).body.text();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  server.close();
} else {
  const live: { n: number; s: string }[] = [];
  for (let i = 0; i < 400_000; i++) live.push({ n: i, s: `live ${i}` });
  let garbage: { n: number; s: string }[] = [];
  for (let i = 0; i < 8_000_000; i++) {
    garbage.push({ n: i, s: `garbage ${i}` });
    if (garbage.length >= 200_000) garbage = [];
    if (i % 50_000 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapTotal);
  }
  if (live.length === 0) throw new Error('unreachable');
}
const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
process.stdout.write(`${JSON.stringify({ heapPeak, hwm })}\n`);
process.exit(0);
