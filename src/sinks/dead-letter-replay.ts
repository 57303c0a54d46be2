import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.ts';
import type { OutputEvent } from '../core/output-event.ts';
import type { Logger } from '../observability/logger.ts';
import type { SinkConfig } from './config.ts';
import { DeadLetterFile, type DeadLetterEntry } from './dead-letter.ts';
import { SinkUnavailableError } from './errors.ts';
import { createDestination, deadLetterPath, sinkName } from './index.ts';

export interface ReplayResult {
  /** Events read from the dead-letter file with an event to send. */
  read: number;
  /** Acknowledged by the destination this time. */
  delivered: number;
  /** Refused for good again: back in the dead-letter file with the new reason. */
  refusedAgain: number;
  /** Not sent or not acknowledged (destination down or refusing us), and entries without an event: kept as they were. */
  kept: number;
}

/** Events sent per write; a destination down stops the replay there (the rest is kept). */
const REPLAY_BATCH = 500;

/** Counts what the destination refuses again while writing it to the dead-letter file. */
class CountingDeadLetter extends DeadLetterFile {
  count = 0;
  override write(entries: readonly DeadLetterEntry[]): Promise<void> {
    this.count += entries.length;
    return super.write(entries);
  }
}

interface Line {
  text: string;
  event?: OutputEvent;
}

/**
 * `o365-intake dead-letter replay`: sends the events of `<data_dir>/dead-letter/<sink>.ndjson` to that sink again,
 * through its destination's normal delivery (chunking, retries, per-event refusals). The file is first moved aside
 * (`<file>.replay-<time>`; dead letters of a running collector go to a new file meanwhile, and a replay interrupted
 * by a crash is picked up by the next one); what is refused again goes back with its new reason, what cannot be
 * sent now is put back as it was, then the moved file is deleted.
 */
export async function replayDeadLetters(
  configs: readonly SinkConfig[],
  name: string,
  deps: { dataDir: string; logger: Logger },
): Promise<ReplayResult> {
  const index = configs.findIndex((c, i) => sinkName(c, i) === name);
  const config = configs[index];
  if (!config)
    throw new ConfigError(
      '--sink',
      `no sink named "${name}" (configured: ${configs.map((c, i) => sinkName(c, i)).join(', ') || 'none'})`,
    );
  const path = deadLetterPath(deps.dataDir, name);
  const moved = await movedFiles(path);
  const result: ReplayResult = { read: 0, delivered: 0, refusedAgain: 0, kept: 0 };
  if (moved.length === 0) return result;
  const deadLetter = new CountingDeadLetter(path, name, deps.logger);
  const sink = createDestination(config, index, deps, deadLetter);
  await sink.open();
  try {
    for (const file of moved) {
      const lines = parse(await readFile(file, 'utf8'));
      const keep = lines.filter((l) => !l.event).map((l) => l.text);
      const events = lines.flatMap((l) => (l.event ? [l] : []));
      result.read += events.length;
      let down = false;
      let unsent = 0;
      let refused = 0;
      for (let i = 0; i < events.length; i += REPLAY_BATCH) {
        const batch = events.slice(i, i + REPLAY_BATCH);
        if (down) {
          keep.push(...batch.map((l) => l.text));
          unsent += batch.length;
          continue;
        }
        const refusedBefore = deadLetter.count;
        try {
          await sink.write(batch.map((l) => l.event as OutputEvent));
        } catch (err) {
          down = true;
          const remaining = new Set(err instanceof SinkUnavailableError ? err.remaining : batch.map((l) => l.event));
          const notSent = batch.filter((l) => remaining.has(l.event as OutputEvent));
          keep.push(...notSent.map((l) => l.text));
          unsent += notSent.length;
          deps.logger.warn(
            { sink: name, err: (err as Error).message },
            'replay stopped: the destination does not accept events now',
          );
        }
        refused += deadLetter.count - refusedBefore;
      }
      result.refusedAgain += refused;
      result.delivered += events.length - refused - unsent;
      await deadLetter.close();
      result.kept += keep.length;
      if (keep.length > 0) await appendLines(path, keep);
      await rm(file, { force: true });
    }
  } finally {
    await sink.close();
  }
  return result;
}

/** Moves the dead-letter file aside; returns it with any file an interrupted replay left, oldest first. */
async function movedFiles(path: string): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.replay-`;
  const target = `${path}.replay-${Date.now()}`;
  await rename(path, target).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => join(dir, n));
}

function parse(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text) => {
      try {
        const entry = JSON.parse(text) as { event?: OutputEvent };
        return entry.event && typeof entry.event.id === 'string' && entry.event.document
          ? { text, event: entry.event }
          : { text };
      } catch {
        return { text };
      }
    });
}

async function appendLines(path: string, lines: readonly string[]): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.write(`${lines.join('\n')}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
