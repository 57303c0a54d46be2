import { Readable, pipeline } from 'node:stream';
import { isAuditRecord, type AuditRecord } from '../core/audit-record.ts';
import { MAX_DEPTH } from '../normalize/record-shape.ts';
import { arrayElementSpans } from './element-texts.ts';
import { ApiError } from './errors.ts';

/**
 * One element of a blob's array: a record, or something else (string, null, number, array) kept with its reason.
 * `text` is the record's JSON text as received (one line), when the blob was parsed whole and the record nests at most
 * MAX_DEPTH levels and holds no line break.
 */
export type BlobElement = { record: AuditRecord; text?: string } | { invalid: unknown; reason: string };

/**
 * Blobs up to this size are read whole, then parsed element by element with `JSON.parse` (several times faster than
 * streaming); bigger ones are parsed as they arrive, so memory stays bounded whatever the size (blobs of 200 MB exist).
 */
export const WHOLE_PARSE_MAX_BYTES = 8 * 1024 * 1024;

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const invalidBlob = (contentId: string, index: number, err: unknown): ApiError =>
  new ApiError(`blob ${contentId}: invalid or truncated JSON after ${index} elements (${(err as Error).message})`, {
    kind: 'transient',
    afCode: 'INVALID_BLOB',
    cause: err,
  });

function elementOf(value: unknown, index: number, contentId: string, text?: string): BlobElement {
  return isAuditRecord(value)
    ? text === undefined
      ? { record: value }
      : { record: value, text }
    : { invalid: value, reason: `blob ${contentId}: element ${index} is not a JSON object (got ${kindOf(value)})` };
}

/**
 * The elements of a content blob (a JSON array). The body is read up to WHOLE_PARSE_MAX_BYTES, split into its elements
 * (arrayElementSpans) and each element decoded and parsed on its own, so each record comes with its JSON text; past
 * that size, what was read and the rest of the body are parsed as a stream (stream-json).
 * An element that is not an object is yielded as invalid (the caller dead-letters it and goes on with the others).
 * A truncated or invalid body throws (transient: the blob is fetched again later) before any element is yielded:
 * never a silent partial success.
 */
export async function* parseBlobElements(body: Readable, contentId: string): AsyncGenerator<BlobElement> {
  const chunks: Buffer[] = [];
  let size = 0;
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await source.next();
      } catch (err) {
        throw invalidBlob(contentId, 0, err);
      }
      if (next.done) break;
      chunks.push(next.value);
      size += next.value.length;
      if (size > WHOLE_PARSE_MAX_BYTES) {
        yield* streamElements(prefixed(chunks, source), contentId);
        return;
      }
    }
    const elements = parseWhole(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size), contentId);
    chunks.length = 0;
    yield* elements;
  } finally {
    body.destroy();
  }
}

/** Every element of a whole body, or the error that makes the blob invalid. */
function parseWhole(bytes: Buffer, contentId: string): BlobElement[] {
  let spans: ReturnType<typeof arrayElementSpans>;
  try {
    spans = arrayElementSpans(bytes, MAX_DEPTH);
  } catch (err) {
    throw invalidBlob(contentId, 0, err);
  }
  const elements: BlobElement[] = new Array(spans.length);
  for (let index = 0; index < spans.length; index += 1) {
    const { start, end, lineText } = spans[index] as (typeof spans)[number];
    const text = bytes.toString('utf8', start, end);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw invalidBlob(contentId, index, err);
    }
    elements[index] = elementOf(value, index, contentId, lineText ? text : undefined);
  }
  return elements;
}

/** The chunks already read, then the rest of the body. */
function prefixed(chunks: Buffer[], rest: AsyncIterator<Buffer>): Readable {
  return Readable.from(
    (async function* () {
      while (chunks.length > 0) yield chunks.shift()!;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
    { objectMode: false },
  );
}

async function* streamElements(body: Readable, contentId: string): AsyncGenerator<BlobElement> {
  // Loaded with the first blob too big to parse whole (its ~20 modules are not needed before).
  const { default: streamArray } = await import('stream-json/streamers/stream-array.js');
  const parser = streamArray.withParserAsStream();
  pipeline(body, parser, () => undefined);
  let index = 0;
  try {
    for await (const item of parser as AsyncIterable<{ key: number; value: unknown }>) {
      const element = elementOf(item.value, index, contentId);
      index += 1;
      yield element;
    }
  } catch (err) {
    throw invalidBlob(contentId, index, err);
  } finally {
    parser.destroy();
    body.destroy();
  }
}
