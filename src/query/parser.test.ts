import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DEPTH, MAX_QUERY_LENGTH, parseQuery, QuerySyntaxError } from './index.ts';

const term = (value: string, extra: { phrase?: boolean; wildcard?: boolean } = {}) => ({
  type: 'term',
  value,
  phrase: extra.phrase ?? false,
  wildcard: extra.wildcard ?? false,
});

test('fields, wildcards, phrases, exists and bare words', () => {
  assert.deepEqual(parseQuery('event.outcome:failure'), {
    kind: 'field',
    field: 'event.outcome',
    value: term('failure'),
    position: 0,
  });
  assert.deepEqual(parseQuery('user.name:alice*'), {
    kind: 'field',
    field: 'user.name',
    value: term('alice*', { wildcard: true }),
    position: 0,
  });
  assert.deepEqual(parseQuery('"failed to log in"'), {
    kind: 'text',
    value: term('failed to log in', { phrase: true }),
    position: 0,
  });
  assert.deepEqual(parseQuery('url.domain:*'), { kind: 'field', field: 'url.domain', value: { type: 'exists' }, position: 0 });
  assert.deepEqual(parseQuery('source.ip:2001:db8::42'), {
    kind: 'field',
    field: 'source.ip',
    value: term('2001:db8::42'),
    position: 0,
  });
  assert.deepEqual(parseQuery('file.name:report\\*.pdf'), {
    kind: 'field',
    field: 'file.name',
    value: term('report*.pdf'),
    position: 0,
  });
  assert.deepEqual(parseQuery('2001:db8::1')?.kind, 'text', 'a word that is not a field name stays a word');
  assert.equal(parseQuery('   '), undefined);
});

test('AND, OR, NOT, implicit AND, "-" and parentheses, with KQL precedence', () => {
  const ast = parseQuery('alice OR bob carol AND NOT (x:1 OR -y:2)');
  assert.deepEqual(ast, {
    kind: 'or',
    children: [
      { kind: 'text', value: term('alice'), position: 0 },
      {
        kind: 'and',
        children: [
          { kind: 'text', value: term('bob'), position: 9 },
          { kind: 'text', value: term('carol'), position: 13 },
          {
            kind: 'not',
            child: {
              kind: 'or',
              children: [
                { kind: 'field', field: 'x', value: term('1'), position: 28 },
                { kind: 'not', child: { kind: 'field', field: 'y', value: term('2'), position: 36 } },
              ],
            },
          },
        ],
      },
    ],
  });
  assert.deepEqual(parseQuery('alice or bob'), parseQuery('alice OR bob'), 'keywords in any case');
  assert.deepEqual(parseQuery('event.action:(FileDownloaded OR FileAccessed)'), {
    kind: 'or',
    children: [
      { kind: 'field', field: 'event.action', value: term('FileDownloaded'), position: 14 },
      { kind: 'field', field: 'event.action', value: term('FileAccessed'), position: 32 },
    ],
  });
});

test('ranges and comparisons on numbers and times', () => {
  assert.deepEqual(parseQuery('event.code>=10'), {
    kind: 'field',
    field: 'event.code',
    value: { type: 'range', lower: { value: '10', inclusive: true } },
    position: 0,
  });
  assert.deepEqual(parseQuery('@timestamp >= now-1h'), {
    kind: 'field',
    field: '@timestamp',
    value: { type: 'range', lower: { value: 'now-1h', inclusive: true } },
    position: 0,
  });
  assert.deepEqual(parseQuery('@timestamp:[2026-11-24T00:00:00Z TO now}'), {
    kind: 'field',
    field: '@timestamp',
    value: {
      type: 'range',
      lower: { value: '2026-11-24T00:00:00Z', inclusive: true },
      upper: { value: 'now', inclusive: false },
    },
    position: 0,
  });
  assert.deepEqual(parseQuery('x:[* TO 5]'), {
    kind: 'field',
    field: 'x',
    value: { type: 'range', upper: { value: '5', inclusive: true } },
    position: 0,
  });
});

function errorOf(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (err) {
    assert.ok(err instanceof QuerySyntaxError, `${query}: ${String(err)}`);
    return err;
  }
  assert.fail(`"${query}" should not parse`);
}

test('mistakes are reported with their position', () => {
  const cases: [string, number, RegExp][] = [
    ['user:alice AND (', 15, /"\(" is never closed|empty parentheses/],
    ['"unterminated', 0, /quote is never closed/],
    ['a OR', 2, /"OR" needs something after it/],
    ['AND b', 0, /needs something before it/],
    ['a)', 1, /unmatched "\)"/],
    ['x:[1 5]', 5, /needs "TO"/],
    ['x:[1 TO 5', 2, /never closed/],
    ['user.name:', 10, /needs a value/],
    ['x:1 ()', 4, /empty parentheses/],
    ['>= 5', 0, /needs a field name/],
    ['x >= ', 5, /needs a value/],
    ['trailing\\', 8, /escapes nothing/],
  ];
  for (const [query, position, message] of cases) {
    const err = errorOf(query);
    assert.equal(err.position, position, `${query}: ${err.message}`);
    assert.match(err.message, message);
    assert.match(err.message, new RegExp(`at character ${position + 1}`));
  }
});

test('deep nesting, huge and hostile input end in a syntax error, never a crash', () => {
  assert.match(errorOf('('.repeat(3000)).message, new RegExp(`deeper than ${MAX_DEPTH}`));
  assert.match(errorOf(`${'NOT '.repeat(1000)}x`).message, /deeper than/);
  assert.match(errorOf(`${'-'.repeat(2000)}x`).message, /deeper than/);
  assert.match(errorOf('a '.repeat(MAX_QUERY_LENGTH)).message, /longer than/);
  assert.match(errorOf(Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ')).message, /more than 256 terms/);
  assert.ok(parseQuery(`${'('.repeat(MAX_DEPTH - 1)}x${')'.repeat(MAX_DEPTH - 1)}`));
});

test('random garbage either parses or fails with a position inside the query', () => {
  // A small deterministic generator (mulberry32) so a failure can be replayed.
  let seed = 0x5eed;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const alphabet = [
    'a',
    'b',
    'x.y',
    ':',
    ' ',
    '(',
    ')',
    '"',
    '\\',
    '*',
    '?',
    '[',
    ']',
    '{',
    '}',
    '<',
    '>',
    '=',
    '-',
    '!',
    'AND',
    'OR',
    'NOT',
    'TO',
    '@timestamp',
    'é',
    '\u0000',
    '1',
  ];
  for (let i = 0; i < 3000; i++) {
    const length = Math.floor(next() * 20);
    const query = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    try {
      parseQuery(query);
    } catch (err) {
      assert.ok(err instanceof QuerySyntaxError, `${JSON.stringify(query)} threw ${String(err)}`);
      assert.ok(err.position >= 0 && err.position <= query.length, `${JSON.stringify(query)}: position ${err.position}`);
    }
  }
});
