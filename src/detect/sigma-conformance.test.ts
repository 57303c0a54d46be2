import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionRule, makeEvent } from './test-support/events.ts';
import { windashVariants } from './value-encoding.ts';

const matches = (detection: string, raw: Record<string, unknown>, ecs: Record<string, unknown> = {}) =>
  detectionRule(detection).match(makeEvent(ecs, raw));

describe('Sigma conformance', () => {
  it('|exists: true holds for a present field whose value is null, false for an absent one', () => {
    assert.equal(matches('sel:\n  NullField|exists: true\ncondition: sel', { NullField: null }), true);
    assert.equal(matches('sel:\n  NullField|exists: false\ncondition: sel', { NullField: null }), false);
    assert.equal(matches('sel:\n  Missing|exists: true\ncondition: sel', { NullField: null }), false);
    assert.equal(matches('sel:\n  user.name|exists: true\ncondition: sel', {}, { user: { name: null } }), true);
  });

  it('a Name/Value element without Value exists (and reads as null)', () => {
    const raw = { Parameters: [{ Name: 'Force' }, { Name: 'Identity', Value: 'bob' }] };
    assert.equal(matches('sel:\n  Parameters.Force|exists: true\ncondition: sel', raw), true);
    assert.equal(matches('sel:\n  Parameters.Force: null\ncondition: sel', raw), true);
    assert.equal(matches('sel:\n  Parameters.Confirm|exists: true\ncondition: sel', raw), false);
    assert.equal(matches('sel:\n  Parameters.Identity: null\ncondition: sel', raw), false);
  });

  it('|windash makes every combination of the five dash characters across all flags', () => {
    const variants = windashVariants('-a /b x-y');
    assert.equal(variants.length, 25);
    assert.equal(new Set(variants).size, 25);
    assert.ok(variants.includes('\u2013a \u2015b x-y'));
    assert.ok(variants.includes('/a -b x-y'));
    assert.ok(
      variants.every((v) => v.endsWith(' x-y')),
      'a dash inside a word is not a flag',
    );
    // As pySigma: a flag dash follows a non-word character (a quote too) and precedes a word character.
    assert.deepEqual(windashVariants('"-c'), ['"-c', '"/c', '"\u2013c', '"\u2014c', '"\u2015c']);
    assert.deepEqual(windashVariants('a - b'), ['a - b'], 'a lone dash is no flag');
    assert.equal(windashVariants('-a -b -c').length, 125);
    const rule = 'sel:\n  CommandLine|windash|contains: " -nop -enc "\ncondition: sel';
    assert.equal(matches(rule, { CommandLine: 'powershell /nop \u2014enc SQBFAFgA' }), true);
    assert.equal(matches(rule, { CommandLine: 'powershell \u2015nop /enc SQBFAFgA' }), true);
    assert.equal(matches(rule, { CommandLine: 'powershell nop enc SQBFAFgA' }), false);
  });

  it('matches characters whose lower case is longer (İstanbul)', () => {
    for (const city of ['İSTANBUL', 'İstanbul', 'i̇stanbul']) {
      assert.equal(matches('sel:\n  City: İstanbul\ncondition: sel', { City: city }), true, city);
      assert.equal(matches('sel:\n  City|startswith: İst\ncondition: sel', { City: city }), true, city);
      assert.equal(matches('sel:\n  City: "*stanbul"\ncondition: sel', { City: city }), true, city);
      assert.equal(matches('sel:\n  City|contains: STAN\ncondition: sel', { City: `in ${city}` }), true, city);
    }
    assert.equal(matches('sel:\n  City: İstanbul\ncondition: sel', { City: 'Istanbul' }), false);
    assert.equal(matches('sel:\n  City: İstanbu\ncondition: sel', { City: 'İstanbul' }), false);
    assert.equal(matches('sel:\n  City|cased: İstanbul\ncondition: sel', { City: 'İSTANBUL' }), false);
  });

  it('refuses a null inside a value list with a clear rule error', () => {
    assert.throws(
      () => detectionRule('sel:\n  ResultStatus: [Success, null]\ncondition: sel'),
      /"ResultStatus": null cannot be part of a value list/,
    );
    assert.equal(matches('sel:\n  ResultStatus: null\ncondition: sel', {}), true);
  });
});
