import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { normalize, parseRawRecord } from '../normalize/index.ts';
import { RecordSplitter, type SplitItem } from '../core/record-splitter.ts';

/** Output is written in blocks of about this size: one write per document costs more than normalizing it. */
const BLOCK_CHARS = 256 * 1024;
const LINE_SEPARATORS = /[\u2028\u2029]/g;
const HAS_LINE_SEPARATOR = /[\u2028\u2029]/;

/**
 * One output line. U+2028 / U+2029 are valid in JSON strings but end lines for JavaScript and many log tools:
 * they are escaped (they only occur inside strings, where the escape means the same character).
 */
export function outputLine(doc: unknown): string {
  const json = JSON.stringify(doc);
  return `${HAS_LINE_SEPARATOR.test(json) ? json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029')) : json}\n`;
}

/** Normalizes one record's text: the output line, or why the record is rejected. Never throws. */
function normalizeText(text: string): { line: string } | { reason: string } {
  const parsed = parseRawRecord(text);
  if (!parsed.ok) return { reason: parsed.reason };
  try {
    return { line: outputLine(normalize(parsed.record)) };
  } catch (err) {
    return { reason: `normalizer failed: ${(err as Error).message}` };
  }
}

/**
 * `o365-intake normalize`: raw records (NDJSON, or one JSON array; a UTF-8 byte order mark is accepted) on `input`,
 * one ECS document per line on `out`. A record that cannot be normalized is reported on `err` with its number,
 * the reason and its byte offset, and the next record is read. Input that cannot be split into records any more
 * (a JSON array with unbalanced brackets, trailing data, or cut short) ends the run after every complete record
 * before it was written, with the byte offset of the error. Returns the exit code: 0, or 1 if anything was rejected.
 */
export async function normalizeCommand(input: Readable, out: Writable, err: Writable): Promise<number> {
  let ok = 0;
  let rejected = 0;
  let block = '';
  let errors = '';
  const flush = async (): Promise<void> => {
    if (errors !== '') {
      err.write(errors);
      errors = '';
    }
    if (block !== '') {
      const more = out.write(block);
      block = '';
      if (!more) await once(out, 'drain');
    }
  };
  const onItem = (item: SplitItem): void => {
    if ('error' in item) {
      rejected += 1;
      errors += item.fatal ? `input error: ${item.error}\n` : `record ${item.index}: ${item.error}\n`;
      return;
    }
    const result = normalizeText(item.text);
    if ('reason' in result) {
      rejected += 1;
      errors += `record ${item.index}: ${result.reason} (at byte ${item.offset})\n`;
      return;
    }
    ok += 1;
    block += result.line;
  };
  const splitter = new RecordSplitter(onItem);
  for await (const chunk of input) {
    splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    if (block.length >= BLOCK_CHARS || errors !== '') await flush();
  }
  splitter.end();
  await flush();
  err.write(`normalized ${ok} record(s)${rejected ? `, rejected ${rejected}` : ''}\n`);
  return rejected > 0 ? 1 : 0;
}
