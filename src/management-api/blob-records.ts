import type { Readable } from 'node:stream';
import { isAuditRecord, type AuditRecord } from '../core/audit-record.ts';
import { MAX_DEPTH } from '../normalize/record-shape.ts';
import { RecordSplitter, type SplitItem } from '../core/record-splitter.ts';
import { ApiError } from './errors.ts';

/**
 * One element of a blob's array: a record, or something else (string, null, number, array) kept with its reason.
 * `text` is the record's JSON text as received (one line), when the record nests at most MAX_DEPTH levels and holds no
 * line break.
 */
export type BlobElement = { record: AuditRecord; text?: string } | { invalid: unknown; reason: string };

/**
 * Blobs up to this size are held until their end, so that an invalid body fails before any of its records is handed
 * on; past it, records are handed on as they are read, so memory stays bounded whatever the size (blobs of 200 MB exist).
 */
export const WHOLE_PARSE_MAX_BYTES = 8 * 1024 * 1024;

const kindOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

const invalidBlob = (contentId: string, index: number, err: unknown): ApiError =>
  new ApiError(`blob ${contentId}: invalid or truncated JSON after ${index} elements (${(err as Error).message})`, {
    kind: 'transient',
    afCode: 'INVALID_BLOB',
    cause: err,
  });

/** A record's text can be written as an NDJSON line as it is: an object on one line that vouches for its depth. */
const isLineText = (text: string, nesting: number, lineBreak: boolean): boolean =>
  text.charCodeAt(0) === 0x7b && nesting <= MAX_DEPTH && !lineBreak;

function elementOf(value: unknown, index: number, contentId: string, text?: string): BlobElement {
  return isAuditRecord(value)
    ? text === undefined
      ? { record: value }
      : { record: value, text }
    : { invalid: value, reason: `blob ${contentId}: element ${index} is not a JSON object (got ${kindOf(value)})` };
}

/**
 * Turns the splitter's items into blob elements: each element's text parsed on its own. The array's syntax is checked
 * by the splitter and each element by its `JSON.parse`, so the body is valid JSON exactly when no error comes out.
 */
class BlobElementReader {
  readonly elements: BlobElement[] = [];
  failure: ApiError | undefined;
  #count = 0;
  readonly #contentId: string;
  readonly splitter = new RecordSplitter((item) => this.#add(item), { arrayOnly: true });

  /** Elements read so far. */
  get count(): number {
    return this.#count;
  }

  constructor(contentId: string) {
    this.#contentId = contentId;
  }

  #add(item: SplitItem): void {
    if (this.failure) return;
    const index = this.#count;
    if ('error' in item) {
      if (item.tooLarge !== true) {
        this.failure = invalidBlob(this.#contentId, index, new Error(item.error));
        return;
      }
      // Too big to hold: reported (dead-lettered by the caller) and skipped; the blob's other records go on.
      this.elements.push({ invalid: null, reason: `blob ${this.#contentId}: element ${index}: ${item.error}` });
      this.#count += 1;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(item.text);
    } catch (err) {
      this.failure = invalidBlob(this.#contentId, index, err);
      return;
    }
    let text = item.text;
    const last = text.charCodeAt(text.length - 1);
    if (last === 0x20 || last === 0x0a || last === 0x0d || last === 0x09) text = text.trimEnd();
    const lineText = isLineText(text, item.nesting ?? Number.POSITIVE_INFINITY, item.lineBreak ?? true);
    this.elements.push(elementOf(value, index, this.#contentId, lineText ? text : undefined));
    this.#count += 1;
  }
}

/**
 * The elements of a content blob (a JSON array), split as the body arrives (RecordSplitter) and each element parsed on
 * its own, so each record comes with its JSON text as received. Up to WHOLE_PARSE_MAX_BYTES, nothing is yielded before
 * the body has been read to its end; past it, elements are yielded as they are read.
 * An element that is not an object is yielded as invalid (the caller dead-letters it and goes on with the others).
 * A truncated or invalid body throws (transient: the blob is fetched again later), for a blob up to
 * WHOLE_PARSE_MAX_BYTES before any element is yielded: never a silent partial success.
 */
export async function* parseBlobElements(body: Readable, contentId: string): AsyncGenerator<BlobElement> {
  const reader = new BlobElementReader(contentId);
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let size = 0;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await source.next();
      } catch (err) {
        throw invalidBlob(contentId, reader.count, err);
      }
      if (next.done) break;
      reader.splitter.push(next.value);
      size += next.value.length;
      if (reader.failure) throw reader.failure;
      if (size > WHOLE_PARSE_MAX_BYTES) yield* reader.elements.splice(0);
    }
    reader.splitter.end();
    if (reader.failure) throw reader.failure;
    yield* reader.elements.splice(0);
  } finally {
    body.destroy();
  }
}
