import { readdirSync, readFileSync } from 'node:fs';
import type pg from 'pg';

const TICK_MICROS = 10_000; // USER_HZ = 100 on Linux

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces): index 0 is the state. */
function statOf(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * CPU used so far by a local PostgreSQL server, µs: the postmaster, its live children (backends, checkpointer,
 * autovacuum…) and the children that already exited (counted in the postmaster's cutime/cstime). Linux only; the
 * server must run on this machine (the benchmark's throwaway cluster).
 */
export async function postgresCpuMicros(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const postmaster = Number(statOf(rows[0]!.pid)?.[1]);
  const ticks = (fields: string[] | undefined, from: number, count: number) =>
    fields ? fields.slice(from, from + count).reduce((n, f) => n + Number(f), 0) : 0;
  let total = ticks(statOf(postmaster), 11, 4); // utime stime cutime cstime
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    const fields = statOf(pid);
    if (fields && Number(fields[1]) === postmaster) total += ticks(fields, 11, 2);
  }
  return total * TICK_MICROS;
}
