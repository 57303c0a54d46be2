// Loaded with `node --import` into a benchmarked child process: at exit, writes the process's CPU time and peak
// RSS as JSON to the file named by BENCH_USAGE_FILE, so a benchmark can compare children it did not write.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMicros: usage.userCPUTime + usage.systemCPUTime, maxRssKiB: usage.maxRSS }));
  });
}
