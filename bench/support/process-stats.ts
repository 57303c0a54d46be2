import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) and peak RSS of a live process, from /proc. */
export function processStats(pid: number): { cpuSeconds: number; peakRssBytes: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuSeconds, peakRssBytes: kb('VmHWM'), rssBytes: kb('VmRSS') };
}

/** CPU seconds of each thread of a live process, by thread name (main thread first), from /proc. */
export function threadCpuSeconds(pid: number): { name: string; cpuSeconds: number }[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    return { name, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS };
  });
}
