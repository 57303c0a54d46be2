// Summarizes a V8 heap snapshot (node --heapsnapshot-signal, v8.writeHeapSnapshot): total self size and count of the
// objects grouped by constructor (or by node type for strings, code, arrays…), largest first. Answers "what holds the
// heap" without a browser. Usage: node --import tsx bench/support/heap-summary.ts <file.heapsnapshot> [top]
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapGroup {
  group: string;
  count: number;
  bytes: number;
}

/** Self sizes by group: objects by constructor name, everything else by node type (string, code, array…). */
export function summarizeHeap(snapshot: Snapshot): { total: number; groups: HeapGroup[] } {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt] ?? 0] ?? 'unknown';
    const size = snapshot.nodes[i + sizeAt] ?? 0;
    const name = snapshot.strings[snapshot.nodes[i + nameAt] ?? 0] ?? '';
    const group = type === 'object' || type === 'closure' ? `${type} ${name.slice(0, 60)}` : type;
    const entry = groups.get(group) ?? { group, count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += size;
    groups.set(group, entry);
    total += size;
  }
  return { total, groups: [...groups.values()].sort((a, b) => b.bytes - a.bytes) };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: heap-summary.ts <file.heapsnapshot> [top]');
  const top = Number(process.argv[3] ?? 30);
  const { total, groups } = summarizeHeap(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  const mb = (b: number) => (b / 1048576).toFixed(1);
  console.log(`heap: ${mb(total)} MB in ${groups.reduce((n, g) => n + g.count, 0).toLocaleString('en-US')} objects\n`);
  console.log('| group | count | MB |');
  console.log('|---|---:|---:|');
  for (const g of groups.slice(0, top)) console.log(`| ${g.group} | ${g.count.toLocaleString('en-US')} | ${mb(g.bytes)} |`);
}
