import { pipeline, type Readable } from 'node:stream';
import streamArray from 'stream-json/streamers/stream-array.js';
import { isAuditRecord, type AuditRecord } from '../core/audit-record.ts';
import { ApiError } from './errors.ts';

/**
 * The records of a content blob (a JSON array), parsed as they arrive so memory stays flat whatever the blob size.
 * A truncated or invalid body, or an element that is not an object, throws (transient: the blob is fetched again later):
 * a blob is never a silent partial success.
 */
export async function* parseRecordArray(body: Readable, contentId: string): AsyncGenerator<AuditRecord> {
  const parser = streamArray.withParserAsStream();
  pipeline(body, parser, () => undefined);
  let index = 0;
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      if (!isAuditRecord(item.value)) {
        throw new ApiError(`blob ${contentId}: element ${index} is not a JSON object`, {
          kind: 'transient',
          afCode: 'INVALID_BLOB',
        });
      }
      index += 1;
      yield item.value;
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(`blob ${contentId}: invalid or truncated JSON after ${index} records (${(err as Error).message})`, {
      kind: 'transient',
      afCode: 'INVALID_BLOB',
      cause: err,
    });
  } finally {
    parser.destroy();
    body.destroy();
  }
}
