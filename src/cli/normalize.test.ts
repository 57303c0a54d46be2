import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { normalizeCommand } from './normalize.ts';

const record = (id: string) => ({
  Id: id,
  CreationTime: '2024-05-01T10:00:00',
  RecordType: 15,
  Operation: 'UserLoggedIn',
  Workload: 'AzureActiveDirectory',
  UserId: 'bob@contoso.com',
  ClientIP: '198.51.100.7',
  ResultStatus: 'Success',
  OrganizationId: 'org',
});

async function run(text: string | string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errs: string[] = [];
  out.on('data', (c) => chunks.push(String(c)));
  err.on('data', (c) => errs.push(String(c)));
  const code = await normalizeCommand(Readable.from(Array.isArray(text) ? text : [text]), out, err);
  return {
    code,
    docs: chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
    errors: errs.join(''),
  };
}

test('NDJSON in, one ECS document per line out', async () => {
  const { code, docs, errors } = await run(`${JSON.stringify(record('a'))}\n\n${JSON.stringify(record('b'))}\n`);
  assert.equal(code, 0);
  assert.deepEqual(
    docs.map((d) => d.office365.record_id),
    ['a', 'b'],
  );
  assert.equal(docs[0]['@timestamp'], '2024-05-01T10:00:00Z');
  assert.match(errors, /normalized 2 record/);
});

test('a JSON array split across chunks, with leading whitespace', async () => {
  const text = `  \n[${JSON.stringify(record('a'))},${JSON.stringify(record('b'))}]`;
  const { code, docs } = await run([text.slice(0, 3), text.slice(3, 40), text.slice(40)]);
  assert.equal(code, 0);
  assert.deepEqual(
    docs.map((d) => d.source.ip),
    ['198.51.100.7', '198.51.100.7'],
  );
});

test('bad lines are reported with their line number and reason; the rest still comes out', async () => {
  const { code, docs, errors } = await run(`${JSON.stringify(record('a'))}\n{not json\n${JSON.stringify({ Id: 'x' })}\n42\n`);
  assert.equal(code, 1);
  assert.equal(docs.length, 1);
  assert.match(errors, /record 2: .*JSON/i);
  assert.match(errors, /record 3: .*CreationTime/);
  assert.match(errors, /record 4: .*object/i);
});

test('a truncated JSON array is reported', async () => {
  const { code, docs, errors } = await run(`[${JSON.stringify(record('a'))},{"Id":`);
  assert.equal(code, 1);
  assert.equal(docs.length, 1);
  assert.match(
    errors,
    /input error: unexpected end of input at byte 2\d\d inside record 2 \(which starts at byte 2\d\d\): the JSON array is not closed/,
  );
});
