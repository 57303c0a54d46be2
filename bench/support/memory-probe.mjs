// Where a process's memory is, sampled from inside it: preload it into the collector's node with
// `BENCH_NODE_OPTIONS="--import=<abs path>/bench/support/memory-probe.mjs"` and set MEMORY_PROBE_FILE=<file>.
// Every MEMORY_PROBE_MS (default 20) ms it appends one JSON line: RSS split by /proc into anonymous and file-backed pages,
// `process.memoryUsage()` (heap used/total, external, arrayBuffers) and V8's committed size by heap space. Each time RSS
// reaches a new high (by ≥ 1 MB) it also writes the resident size of every mapping group of /proc/self/smaps (V8/malloc
// anonymous memory, the node binary, shared libraries, the SQLite files mapped by mmap, thread stacks), so the sample at
// the peak says who held it. MEMORY_PROBE_SNAPSHOT_MB=<n> writes one heap snapshot (live objects only: V8 collects
// first) the first time RSS reaches n MB, into MEMORY_PROBE_SNAPSHOT_DIR (default: the working directory).
// Bench-only: nothing of it is in the product. Summarize with `node bench/support/memory-report.mjs <file>`.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

// `%p` in the file name is replaced by the process id (one file per process when a bench starts several).
const file = process.env.MEMORY_PROBE_FILE?.replace('%p', String(process.pid));
const every = Number(process.env.MEMORY_PROBE_MS ?? 20);
const snapshotAtMb = Number(process.env.MEMORY_PROBE_SNAPSHOT_MB ?? 0);
const MB = 1048576;

/** kB fields of /proc/self/status as bytes. */
function status() {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile'), shmem: kb('RssShmem') };
}

/** Resident bytes of /proc/self/smaps by mapping group. */
function mappings() {
  const groups = {};
  const large = [];
  let group = '';
  let size = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[2] ?? '';
      const [from, to] = line.slice(0, line.indexOf(' ')).split('-');
      size = Number.parseInt(to, 16) - Number.parseInt(from, 16);
      if (path === '') group = 'anonymous (V8 heap, malloc arenas, wasm)';
      else if (path === '[heap]') group = '[heap] (malloc, brk)';
      else if (path.startsWith('[stack')) group = 'stacks';
      else if (path.startsWith('[')) group = path;
      else if (/\.(db|sqlite)(-wal|-shm)?$/.test(path) || path.endsWith('-shm') || path.endsWith('-wal'))
        group = `sqlite ${path.replace(/^.*\//, '')}`;
      else if (path.endsWith('/node') || /\/node[0-9.]*$/.test(path)) group = `node binary ${head[1]}`;
      else if (path.includes('.so')) group = `lib ${path.replace(/^.*\//, '').replace(/\.so.*$/, '.so')}`;
      else group = `file ${path.replace(/^.*\//, '')}`;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) {
      groups[group] = (groups[group] ?? 0) + Number(rss[1]) * 1024;
      // Anonymous mappings of ≥ 1 MB resident, as "size:resident" in MB: 64 MB reservations are malloc thread arenas.
      if ((group.startsWith('anonymous') || group.startsWith('[heap]')) && Number(rss[1]) >= 1024)
        large.push(`${(size / MB).toFixed(1)}:${(Number(rss[1]) / 1024).toFixed(1)}`);
    }
  }
  groups.large = large;
  return groups;
}

if (file) {
  const fd = openSync(file, 'a');
  const started = performance.now();
  let high = 0;
  let snapshotTaken = false;
  const sample = () => {
    const s = status();
    const m = process.memoryUsage();
    const spaces = {};
    for (const sp of getHeapSpaceStatistics()) spaces[sp.space_name] = sp.physical_space_size;
    const line = {
      t: Math.round(performance.now() - started),
      ...s,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      spaces,
    };
    if (s.rss >= high + MB) {
      high = s.rss;
      line.mappings = mappings();
    }
    writeSync(fd, `${JSON.stringify(line)}\n`);
    if (snapshotAtMb && !snapshotTaken && s.rss >= snapshotAtMb * MB) {
      snapshotTaken = true;
      const dir = process.env.MEMORY_PROBE_SNAPSHOT_DIR ?? process.cwd();
      const written = writeHeapSnapshot(join(dir, `probe-${process.pid}-${Math.round(s.rss / MB)}MB.heapsnapshot`));
      writeSync(fd, `${JSON.stringify({ t: Math.round(performance.now() - started), snapshot: written })}\n`);
    }
  };
  const timer = setInterval(sample, every);
  timer.unref();
  process.once('exit', () => {
    sample();
    closeSync(fd);
  });
}
