import { open } from 'node:fs/promises';

export interface LastDeadLetter {
  at: number;
  reason: string;
  detail: string;
}

/** Bytes read from the end of a dead-letter file to find its last line. */
const TAIL_BYTES = 1024 * 1024;
const LINE_START = '{"at":';
const HEAD = /^\{"at":("[^"]*"),"sink":"(?:[^"\\]|\\.)*","reason":("(?:[^"\\]|\\.)*"),"detail":("(?:[^"\\]|\\.)*")/;

/**
 * The newest entry of a sink's dead-letter file (`{"at","sink","reason","detail","event"}` lines).
 * Only the head of the line is parsed, so a huge refused event is never decoded. Undefined when the
 * file does not exist, is empty, or its last line starts more than 1 MiB before the end.
 */
export async function lastDeadLetter(path: string): Promise<LastDeadLetter | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').replace(/\n+$/, '');
    const newline = text.lastIndexOf(`\n${LINE_START}`);
    const line = newline >= 0 ? text.slice(newline + 1) : start === 0 ? text : '';
    const head = HEAD.exec(line);
    if (!head) return undefined;
    const at = Date.parse(JSON.parse(head[1]!) as string);
    return { at, reason: JSON.parse(head[2]!) as string, detail: JSON.parse(head[3]!) as string };
  } finally {
    await handle.close();
  }
}
