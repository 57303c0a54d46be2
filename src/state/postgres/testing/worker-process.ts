import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerJob } from './run-worker.ts';

const RUN_WORKER = fileURLToPath(new URL('./run-worker.ts', import.meta.url));

/** A scale-out worker in its own process (so a test can SIGKILL it like a machine dying). */
export interface WorkerProcess {
  readonly job: WorkerJob;
  readonly pid: number;
  kill(): Promise<void>;
  stop(): Promise<number | null>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function spawnWorker(dir: string, job: WorkerJob, timeoutMs = 60_000): Promise<WorkerProcess> {
  const jobPath = join(dir, `${job.workerId}.json`);
  writeFileSync(jobPath, JSON.stringify(job));
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_WORKER, jobPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${job.workerId} not ready within ${timeoutMs} ms: ${output}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${job.workerId} exited with ${code}: ${output}`));
    });
  });
  return {
    job,
    pid: child.pid ?? -1,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited(child);
      clearTimeout(timer);
      return code;
    },
  };
}

/** Peak resident memory of a live process in bytes (Linux /proc VmHWM), or 0 when unknown. */
export function peakRss(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `${tenantId}:${record.Id}` counts of an NDJSON output (a line being written is ignored). With `limitBytes`, only
 * the first bytes are read: a worker's committed output is its file up to its committed sink position.
 */
export function readOutputIds(path: string, counts = new Map<string, number>(), limitBytes = Infinity): Map<string, number> {
  let text = '';
  try {
    const bytes = readFileSync(path);
    text = bytes.subarray(0, Math.min(bytes.length, limitBytes)).toString('utf8');
  } catch {
    return counts;
  }
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line still being written
  for (const line of lines) {
    const doc = JSON.parse(line) as { tenantId: string; record: { Id: string } };
    const id = `${doc.tenantId}:${doc.record.Id}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
