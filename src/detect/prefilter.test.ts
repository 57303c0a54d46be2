import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { indexKey } from './prefilter.ts';

const key = (yaml: string) => indexKey(parse(yaml) as Record<string, unknown>);

describe('rule prefilter', () => {
  it('indexes rules whose every match needs given event.action values', () => {
    assert.deepEqual(key('sel: {event.action: [New-InboxRule, Set-InboxRule], x: 1}\ncondition: sel'), {
      field: 'event.action',
      values: ['new-inboxrule', 'set-inboxrule'],
    });
    assert.deepEqual(key('a: {event.action: A}\nb: {event.action: B}\nf: {user.name: x}\ncondition: 1 of a* and not f or b'), {
      field: 'event.action',
      values: ['a', 'b'],
    });
    assert.deepEqual(key('a: {event.action: A}\nb: {x: 1}\ncondition: all of them'), { field: 'event.action', values: ['a'] });
    assert.deepEqual(key('a: {Operation: TIMailData}\ncondition: a'), { field: 'Operation', values: ['timaildata'] });
  });
  it('does not index when a match could happen without the value', () => {
    assert.equal(key('a: {event.action: A}\nb: {x: 1}\ncondition: a or b'), undefined);
    assert.equal(key('a: {event.action: A}\ncondition: not a'), undefined);
    assert.equal(key('a: {event.action|contains: A}\ncondition: a'), undefined);
    assert.equal(key('a: {event.action: "Add*"}\ncondition: a'), undefined);
    assert.equal(key('a: [keyword]\ncondition: a'), undefined);
    assert.equal(key('a: {event.action: A}\nb: {x: 1}\ncondition: 1 of them'), undefined);
  });
});
