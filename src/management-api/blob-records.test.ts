import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { type BlobElement, WHOLE_PARSE_MAX_BYTES, parseBlobElements } from './blob-records.ts';
import { MAX_RECORD_BYTES } from '../core/record-splitter.ts';
import { ApiError } from './errors.ts';

/** The body in chunks of 64 KiB, as it arrives from a socket. */
function body(text: string): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, at + 65_536));
  return Readable.from(chunks);
}

async function collect(text: string): Promise<BlobElement[]> {
  const out: BlobElement[] = [];
  for await (const element of parseBlobElements(body(text), 'blob-1')) out.push(element);
  return out;
}

/** A blob of `count` records (~500 bytes each) with a string and a null among them. */
function blobText(count: number): string {
  const elements: unknown[] = [];
  for (let i = 0; i < count; i += 1) {
    elements.push({ Id: `id-${i}`, RecordType: 15, Operation: 'UserLoggedIn', Padding: 'x'.repeat(420), Nested: { n: i } });
    if (i === 3) elements.push('not a record');
    if (i === 7) elements.push(null);
  }
  return JSON.stringify(elements);
}

test('a small blob (whole-body parse) and a big one (streamed) give the same records and dead-letter the same elements', async () => {
  const small = blobText(100);
  const big = blobText(20_000);
  assert.ok(Buffer.byteLength(small) < WHOLE_PARSE_MAX_BYTES);
  assert.ok(Buffer.byteLength(big) > WHOLE_PARSE_MAX_BYTES, 'the big blob takes the streaming path');
  for (const text of [small, big]) {
    const expected = JSON.parse(text) as unknown[];
    const got = await collect(text);
    assert.equal(got.length, expected.length);
    got.forEach((element, i) => {
      const value = expected[i];
      if (value !== null && typeof value === 'object') assert.deepEqual('record' in element ? element.record : element, value);
      else {
        assert.ok('invalid' in element, `element ${i} is no record`);
        assert.equal(element.invalid, value);
        assert.match(element.reason, new RegExp(`element ${i} is not a JSON object`));
      }
    });
  }
});

test('a truncated or non-array body is an error on both paths, never a partial success', async () => {
  for (const text of [blobText(100), blobText(20_000)]) {
    await assert.rejects(collect(text.slice(0, -10)), (err: unknown) => err instanceof ApiError && err.afCode === 'INVALID_BLOB');
  }
  await assert.rejects(collect('{"Id":"1"}'), (err: unknown) => err instanceof ApiError && err.afCode === 'INVALID_BLOB');
});

test('every record comes with its JSON text as received, on both paths', async () => {
  for (const count of [10, 20_000]) {
    const got = await collect(blobText(count));
    for (const element of got) if ('record' in element) assert.deepEqual(JSON.parse(element.text ?? 'null'), element.record);
    assert.equal(got.filter((e) => 'record' in e && e.text !== undefined).length, count);
  }
  const [escaped] = await collect('[{"Id":"caf\\u00e9","N":1.50}]');
  assert.deepEqual(escaped, { record: { Id: 'café', N: 1.5 }, text: '{"Id":"caf\\u00e9","N":1.50}' });
});

test('a record too big to hold is reported as an invalid element and skipped; the records after it are delivered', async () => {
  const mebibyte = Buffer.alloc(1024 * 1024, 'a');
  const chunks = [Buffer.from('[{"Id":"1"},{"Big":"')];
  for (let i = 0; i <= MAX_RECORD_BYTES / mebibyte.length; i += 1) chunks.push(mebibyte);
  chunks.push(Buffer.from('"},{"Id":"3"}]'));
  const got: BlobElement[] = [];
  for await (const element of parseBlobElements(Readable.from(chunks), 'blob-1')) got.push(element);
  assert.equal(got.length, 3);
  assert.deepEqual(got[0], { record: { Id: '1' }, text: '{"Id":"1"}' });
  assert.ok('invalid' in (got[1] as BlobElement));
  assert.match((got[1] as { reason: string }).reason, /^blob blob-1: element 1: record larger than \d+ bytes, skipped$/);
  assert.deepEqual(got[2], { record: { Id: '3' }, text: '{"Id":"3"}' });
});

test('an element that is not valid JSON fails the whole blob before any element is yielded', async () => {
  const yielded: BlobElement[] = [];
  const text = `[{"Id":"1"},{"Id":"2"},{"Id":tru}]`;
  await assert.rejects(
    (async () => {
      for await (const element of parseBlobElements(body(text), 'blob-1')) yielded.push(element);
    })(),
    (err: unknown) => err instanceof ApiError && err.afCode === 'INVALID_BLOB' && /after 2 elements/.test(err.message),
  );
  assert.equal(yielded.length, 0);
});

test('a pretty-printed blob: records on one line keep their text, a record spanning lines is written again', async () => {
  const got = await collect('[\n  {"Id":"1"},\n  {\n    "Id": "2"\n  }\n]\n');
  assert.deepEqual(got, [{ record: { Id: '1' }, text: '{"Id":"1"}' }, { record: { Id: '2' } }]);
});
