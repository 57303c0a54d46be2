import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreQueryError } from '../store/errors.ts';
import { sampleEvents } from '../store/testing/sample-events.ts';
import type { StoredEvent } from '../store/types.ts';
import { filterHrefs, quoted, withClause } from './query-filter.ts';
import { queryErrorOf } from './respond.ts';
import { searchQueryOf } from './saved-search-routes.ts';
import { queryError } from './views/events-page.ts';
import { flatten } from './views/field-table.ts';

test('a query error shows the query with a caret under the position', () => {
  const out = queryError('q: expected a value after ":"', 'user.name: AND x', 10).value;
  assert.match(
    out,
    /<span class="q-before">user\.name:<\/span><mark> <\/mark>AND x\n<span class="q-pad"> {10}<\/span><b>\^<\/b><\/pre>/,
  );
  assert.match(queryError('bad', 'ab', 99).value, /<span class="q-before">ab<\/span><mark> <\/mark>/, 'clamped to the end');
  assert.match(queryError('from: bad', 'x', undefined).value, /<p class="banner error" role="alert">from: bad<\/p>/);
  assert.match(queryError('q: bad', '<b>', 0).value, /<mark>&lt;<\/mark>b&gt;/, 'escaped');
});

test('the position of a query-language error reaches the 400 answer', () => {
  class ParseError extends StoreQueryError {
    readonly position = 7;
  }
  assert.deepEqual(queryErrorOf(new ParseError('q', 'unexpected ")"')), {
    field: 'q',
    message: 'q: unexpected ")"',
    code: 'STORE_QUERY_INVALID',
    position: 7,
  });
  assert.equal(queryErrorOf(new StoreQueryError('q', 'bad'))?.position, undefined);
  assert.equal(queryErrorOf(new Error('boom')), undefined);
});

test('filter-for and filter-out add a clause to the current query', () => {
  assert.equal(quoted('say "hi" \\ bye'), '"say \\"hi\\" \\\\ bye"');
  assert.equal(withClause(undefined, 'a:"1"'), 'a:"1"');
  assert.equal(withClause('x', 'a:"1"'), 'x AND a:"1"');
  assert.equal(withClause('x OR y', 'NOT a:"1"'), '(x OR y) AND NOT a:"1"');
  const event = {
    ...sampleEvents(1)[0]!,
    ingestedAt: 0,
    alertIds: [],
    user: 'alice@contoso.com',
    sourceIp: '203.0.113.7',
    action: 'UserLoggedIn',
    workload: 'AzureActiveDirectory',
    outcome: 'success',
  } as StoredEvent;
  const params = { q: 'mallory', range: '7d', cursor: 'c1' };
  const action = filterHrefs(params, { name: 'event.action', ecs: true }, 'UserLoggedIn', event);
  assert.equal(action.include, '/events?q=mallory&range=7d&action=UserLoggedIn', 'an indexed column filters by its parameter');
  assert.equal(new URL(action.exclude, 'http://x').searchParams.get('q'), 'mallory AND NOT event.action:"UserLoggedIn"');
  const country = filterHrefs(params, { name: 'source.geo.country_iso_code', ecs: true }, 'FR', event);
  assert.equal(new URL(country.include, 'http://x').searchParams.get('q'), 'mallory AND source.geo.country_iso_code:"FR"');
  const raw = filterHrefs({}, { name: 'ClientIP', ecs: false }, '203.0.113.7', event);
  assert.equal(new URL(raw.include, 'http://x').searchParams.get('q'), '"203.0.113.7"', 'a raw value is a phrase');
});

test('field tables flatten nested ECS and O365 Name/Value lists', () => {
  assert.deepEqual(
    flatten({
      event: { category: ['iam', 'configuration'], code: 8 },
      Parameters: [{ Name: 'ForwardTo', Value: 'x@evil.example' }],
      Targets: [{ ID: 'a', Type: 2 }],
      empty: '',
      none: null,
    }),
    [
      { field: 'Parameters.ForwardTo', value: 'x@evil.example' },
      { field: 'Targets.0.ID', value: 'a' },
      { field: 'Targets.0.Type', value: '2' },
      { field: 'event.category', value: 'iam' },
      { field: 'event.category', value: 'configuration' },
      { field: 'event.code', value: '8' },
    ],
  );
});

test('a saved search keeps the search, not the page', () => {
  assert.equal(searchQueryOf('?range=24h&q=a%20b&cursor=xyz&token=t&user='), 'q=a+b&range=24h');
});
