import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruCache } from './lru-cache.ts';

test('evicts the least recently used entry', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  assert.equal(cache.get('a'), 1); // b is now the oldest
  cache.set('c', 3);
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.get('a'), 1);
  assert.equal(cache.get('c'), 3);
  assert.equal(cache.size, 2);
});

test('rejects a bad size', () => {
  assert.throws(() => new LruCache(0), RangeError);
});

test('remembers null values (a cached miss)', () => {
  const cache = new LruCache<string, number | null>(2);
  cache.set('miss', null);
  assert.equal(cache.get('miss'), null);
  assert.equal(cache.get('unknown'), undefined);
});
