import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { withStatementCache } from './statement-cache.ts';

test('the same SQL text is prepared once and its statement reused; distinct texts get their own', () => {
  const db = withStatementCache(new Database(':memory:'));
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
  assert.equal(db.prepare('INSERT INTO t (k, v) VALUES (?, ?)'), insert);
  assert.notEqual(db.prepare('SELECT v FROM t WHERE k = ?'), insert);
  // Reused statements keep working, inside transactions too.
  db.transaction(() => {
    for (let i = 0; i < 3; i++) db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(`k${i}`, i);
  })();
  assert.deepEqual(db.prepare('SELECT v FROM t WHERE k = ?').pluck().get('k2'), 2);
  assert.equal(db.prepare('SELECT COUNT(*) FROM t').pluck().get(), 3);
  db.close();
});

test('at most `max` statements are kept: the least recently used one is prepared again', () => {
  const db = withStatementCache(new Database(':memory:'), 2);
  const a = db.prepare('SELECT 1');
  const b = db.prepare('SELECT 2');
  assert.equal(db.prepare('SELECT 1'), a, 'A used again: B is now the least recently used');
  db.prepare('SELECT 3');
  assert.equal(db.prepare('SELECT 1'), a);
  assert.notEqual(db.prepare('SELECT 2'), b, 'B was evicted');
  db.close();
});
