import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { pipeline, Readable, type Writable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';
import { normalize, parseRawRecord } from '../normalize/index.ts';

type Item = { index: number; value: unknown } | { index: number; error: string };

/** Re-assembles a stream after its first chunks were read to sniff the format. */
function rejoin(head: Buffer[], rest: AsyncIterator<Buffer>): Readable {
  return Readable.from(
    (async function* () {
      yield* head;
      for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
    })(),
  );
}

/** Records from a JSON array (streamed, any size) or from NDJSON (one record per line). */
async function* readRecords(input: Readable): AsyncGenerator<Item> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string> as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    first = /\S/.exec(chunk.toString('utf8'))?.[0];
  }
  if (first === undefined) return;
  const stream = rejoin(head, iterator);
  if (first === '[') {
    const parser = streamArray.withParserAsStream();
    pipeline(stream, parser, () => undefined);
    let index = 0;
    try {
      for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>)
        yield { index: ++index, value: item.value };
    } catch (err) {
      yield { index: index + 1, error: `invalid JSON array after ${index} records (${(err as Error).message})` };
    }
    return;
  }
  let index = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    index += 1;
    if (line.trim() === '') continue;
    yield { index, value: line };
  }
}

/**
 * `o365-intake normalize`: raw records (NDJSON or a JSON array) on `input`, one ECS document per line on `out`.
 * Records that cannot be normalized are reported on `err` with their position and reason. Returns the exit code.
 */
export async function normalizeCommand(input: Readable, out: Writable, err: Writable): Promise<number> {
  let ok = 0;
  let rejected = 0;
  for await (const item of readRecords(input)) {
    const parsed = 'error' in item ? { ok: false as const, reason: item.error } : parseRawRecord(item.value);
    if (!parsed.ok) {
      rejected += 1;
      err.write(`record ${item.index}: ${parsed.reason}\n`);
      continue;
    }
    ok += 1;
    if (!out.write(`${JSON.stringify(normalize(parsed.record))}\n`)) await once(out, 'drain');
  }
  err.write(`normalized ${ok} record(s)${rejected ? `, rejected ${rejected}` : ''}\n`);
  return rejected > 0 ? 1 : 0;
}
