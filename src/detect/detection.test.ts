import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionRule, makeEvent } from './test-support/events.ts';

const inboxRule = makeEvent(
  {
    event: { action: 'New-InboxRule', outcome: 'success' },
    source: { ip: '10.1.2.3' },
    user: { name: 'Alice@Contoso.com' },
    tags: ['a', 'b'],
  },
  {
    Operation: 'New-InboxRule',
    ClientIP: '10.1.2.3:5555',
    Parameters: [
      { Name: 'ForwardTo', Value: 'evil@gmail.com' },
      { Name: 'DeleteMessage', Value: 'True' },
    ],
    ModifiedProperties: [{ Name: 'Role.DisplayName', NewValue: 'Global Administrator', OldValue: '' }],
    ResultCount: '42',
    Empty: '',
    NullField: null,
    CommandLine: 'powershell -enc SQBFAFgA',
  },
);

function matches(detection: string, event = inboxRule): boolean {
  return detectionRule(detection).match(event);
}

describe('detection syntax', () => {
  it('maps are AND, value lists are OR, case-insensitive by default', () => {
    assert.equal(matches('sel:\n  event.action: new-inboxrule\n  event.outcome: [failure, SUCCESS]\ncondition: sel'), true);
    assert.equal(matches('sel:\n  event.action: new-inboxrule\n  event.outcome: failure\ncondition: sel'), false);
  });
  it('lists of maps are OR', () => {
    assert.equal(matches('sel:\n  - event.action: nope\n  - user.name: alice@contoso.com\ncondition: sel'), true);
  });
  it('wildcards and escapes', () => {
    assert.equal(matches('sel:\n  user.name: "alice@*.c?m"\ncondition: sel'), true);
    assert.equal(matches('sel:\n  user.name: "alice@\\\\*"\ncondition: sel'), false);
  });
  it('reads raw fields and Name/Value arrays', () => {
    assert.equal(matches('sel:\n  Parameters.ForwardTo|endswith: "@gmail.com"\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Parameters|contains: DeleteMessage\ncondition: sel'), true);
    assert.equal(matches('sel:\n  ModifiedProperties.Role.DisplayName: Global Administrator\ncondition: sel'), true);
    assert.equal(matches('sel:\n  ModifiedProperties.Role.DisplayName.OldValue: ""\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Parameters.RedirectTo|contains: "@"\ncondition: sel'), false);
  });
  it('arrays match when one element matches', () => {
    assert.equal(matches('sel:\n  tags: b\ncondition: sel'), true);
  });
  it('null, empty and exists', () => {
    assert.equal(matches('sel:\n  Missing: null\ncondition: sel'), true);
    assert.equal(matches('sel:\n  NullField: null\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Empty: ""\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Empty: null\ncondition: sel'), false);
    assert.equal(matches('sel:\n  Operation|exists: true\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Missing|exists: false\ncondition: sel'), true);
  });
  it('contains / startswith / endswith / all / cased', () => {
    assert.equal(matches('sel:\n  Operation|contains|all: [new, inbox]\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Operation|contains|all: [new, mailbox]\ncondition: sel'), false);
    assert.equal(matches('sel:\n  Operation|startswith: new-\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Operation|endswith|cased: inboxrule\ncondition: sel'), false);
    assert.equal(matches('sel:\n  Operation|endswith|cased: InboxRule\ncondition: sel'), true);
  });
  it('regular expressions with flags (search semantics)', () => {
    assert.equal(matches('sel:\n  Operation|re: "Inbox"\ncondition: sel'), true);
    assert.equal(matches('sel:\n  Operation|re: "^new-inbox"\ncondition: sel'), false);
    assert.equal(matches('sel:\n  Operation|re|i: "^new-inbox"\ncondition: sel'), true);
  });
  it('cidr on addresses with or without a port', () => {
    assert.equal(matches('sel:\n  ClientIP|cidr: 10.0.0.0/8\ncondition: sel'), true);
    assert.equal(matches('sel:\n  source.ip|cidr: [192.168.0.0/16, 10.1.0.0/16]\ncondition: sel'), true);
    assert.equal(matches('sel:\n  source.ip|cidr: 2001:db8::/32\ncondition: sel'), false);
  });
  it('numeric comparisons and neq', () => {
    assert.equal(matches('sel:\n  ResultCount|gte: 42\ncondition: sel'), true);
    assert.equal(matches('sel:\n  ResultCount|gt: 42\ncondition: sel'), false);
    assert.equal(matches('sel:\n  ResultCount|lt: 100\ncondition: sel'), true);
    assert.equal(matches('sel:\n  event.outcome|neq: failure\ncondition: sel'), true);
    assert.equal(matches('sel:\n  event.outcome|neq: success\ncondition: sel'), false);
  });
  it('base64, base64offset, wide and windash', () => {
    const encoded = makeEvent(
      {},
      {
        Blob: Buffer.from('prefix Invoke-Mimikatz suffix').toString('base64'),
        Wide: Buffer.from('IEX', 'utf16le').toString('base64'),
      },
    );
    assert.equal(matches('sel:\n  Blob|base64offset|contains: Invoke-Mimikatz\ncondition: sel', encoded), true);
    assert.equal(matches('sel:\n  Wide|wide|base64: IEX\ncondition: sel', encoded), true);
    assert.equal(matches('sel:\n  Wide|base64: IEX\ncondition: sel', encoded), false);
    assert.equal(matches('sel:\n  CommandLine|windash|contains: " /enc "\ncondition: sel'), true);
  });
  it('fieldref compares two fields of the event', () => {
    const e = makeEvent({ user: { email: 'a@x.com' }, destination: { user: { email: 'A@X.com' } } });
    assert.equal(matches('sel:\n  user.email|fieldref: destination.user.email\ncondition: sel', e), true);
    assert.equal(matches('sel:\n  user.email|fieldref|neq: destination.user.email\ncondition: sel', e), false);
  });
  it('time-part modifiers', () => {
    const e = makeEvent({ '@timestamp': '2024-03-09T23:15:00Z' });
    assert.equal(matches("sel:\n  '@timestamp|hour': 23\ncondition: sel", e), true);
    assert.equal(matches("sel:\n  '@timestamp|hour|lt': 6\ncondition: sel", e), false);
  });
  it('keywords search every string of the event', () => {
    assert.equal(matches('kw:\n  - evil@gmail\n  - nothing\ncondition: kw'), true);
    assert.equal(matches("kw:\n  '|all':\n    - evil@gmail\n    - nothing\ncondition: kw"), false);
  });
  it('conditions: not, parentheses, x of, them, list of conditions', () => {
    const base =
      'sel_a:\n  Operation: New-InboxRule\nsel_b:\n  Operation: Set-Mailbox\n_hidden:\n  Operation: zzz\nfilter_x:\n  user.name: bob\n';
    assert.equal(matches(`${base}condition: 1 of sel_* and not 1 of filter_*`), true);
    assert.equal(matches(`${base}condition: all of sel_*`), false);
    assert.equal(matches(`${base}condition: not (sel_a or sel_b)`), false);
    assert.equal(matches(`${base}condition: 1 of them`), true);
    assert.equal(matches(`${base}condition: all of them`), false);
    assert.equal(matches(`${base}condition: [sel_b, sel_a]`), true);
    assert.equal(matches(`${base}condition: sel_b or sel_a and not filter_x`), true);
  });
});

describe('detection errors', () => {
  const bad = (detection: string, message: RegExp) => assert.throws(() => detectionRule(detection), message);
  it('names what is wrong', () => {
    bad('sel:\n  a|bogus: 1\ncondition: sel', /unknown modifier "bogus"/);
    bad('sel:\n  a: 1\ncondition: sel and other', /"other", which is not defined/);
    bad('sel:\n  a: 1\ncondition: [sel | count() > 5]', /aggregation expressions/);
    bad('sel:\n  a: 1\ncondition: sel | near other', /must look like "count\(field\) by group > 10"/);
    bad('sel:\n  a: 1\ntimeframe: 5m\ncondition: sel', /"timeframe" without an aggregation/);
    bad('sel:\n  a: 1\ncondition: (sel', /missing "\)"/);
    bad('sel:\n  a|cidr: 10.0.0.0/99\ncondition: sel', /not a CIDR/);
    bad('sel:\n  a|re: "(unclosed"\ncondition: sel', /invalid regular expression/);
    bad('sel:\n  a|contains|all: only\ncondition: sel', /at least two values/);
    bad('sel:\n  a|expand: "%x%"\ncondition: sel', /placeholders/);
    bad('sel:\n  a: 1', /no condition/);
  });
});
