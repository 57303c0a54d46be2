import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backtrackingRisk, compileRegex, regexEngine } from './safe-regex.ts';

describe('regex safety', () => {
  it('flags patterns that can backtrack exponentially (used when RE2 is unavailable)', () => {
    assert.match(backtrackingRisk('(a+)+$') ?? '', /nested quantifier/);
    assert.match(backtrackingRisk('(x|xy)*z') ?? '', /nested quantifier/);
    assert.match(backtrackingRisk('(\\w+\\s?)*$') ?? '', /nested quantifier/);
    assert.match(backtrackingRisk('(a)\\1') ?? '', /back-references/);
    assert.match(backtrackingRisk('foo(?=bar)') ?? '', /look-around/);
    assert.equal(backtrackingRisk('^(?:New|Set)-InboxRule$'), undefined);
    assert.equal(backtrackingRisk('[a-z]+@[a-z0-9.-]+\\.(com|net)'), undefined);
    assert.equal(backtrackingRisk('(ab)+c'), undefined);
  });
  it('an evil pattern on a hostile input does not stall', () => {
    if (regexEngine !== 're2') {
      assert.throws(() => compileRegex('(a+)+$', ''), /nested quantifier/);
      return;
    }
    const test = compileRegex('(a+)+$', '');
    assert.equal(test(`${'a'.repeat(50_000)}!`), false);
    assert.equal(test('aaa'), true);
  });
  it('honours the i, m and s flags', () => {
    assert.equal(compileRegex('^abc$', 'im')('x\nABC\ny'), true);
    assert.equal(compileRegex('a.b', '')('a\nb'), false);
    assert.equal(compileRegex('a.b', 's')('a\nb'), true);
  });
});
