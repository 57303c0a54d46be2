import { pipeline, type Readable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';
import { isAuditRecord, type AuditRecord } from '../core/audit-record.ts';
import { ApiError } from './errors.ts';

/** One element of a blob's array: a record, or something else (string, null, number, array) kept with its reason. */
export type BlobElement = { record: AuditRecord } | { invalid: unknown; reason: string };

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/**
 * The elements of a content blob (a JSON array), parsed as they arrive so memory stays flat whatever the blob size.
 * An element that is not an object is yielded as invalid (the caller dead-letters it and goes on with the others).
 * A truncated or invalid body throws (transient: the blob is fetched again later): never a silent partial success.
 */
export async function* parseBlobElements(body: Readable, contentId: string): AsyncGenerator<BlobElement> {
  const parser = streamArray.withParserAsStream();
  pipeline(body, parser, () => undefined);
  let index = 0;
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      const element: BlobElement = isAuditRecord(item.value)
        ? { record: item.value }
        : { invalid: item.value, reason: `blob ${contentId}: element ${index} is not a JSON object (got ${kindOf(item.value)})` };
      index += 1;
      yield element;
    }
  } catch (err) {
    throw new ApiError(`blob ${contentId}: invalid or truncated JSON after ${index} elements (${(err as Error).message})`, {
      kind: 'transient',
      afCode: 'INVALID_BLOB',
      cause: err,
    });
  } finally {
    parser.destroy();
    body.destroy();
  }
}
