import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector } from './detector.ts';
import { entityKind, normalizeValue } from './entity.ts';
import { makeEvent, ruleFromYaml } from './test-support/events.ts';

describe('entity kinds and case-insensitive values', () => {
  it('user names, UPNs and e-mail addresses compare lower-cased, whatever field holds them; other values keep their case', () => {
    assert.equal(normalizeValue('UserId', 'Alice@Contoso.COM'), 'alice@contoso.com');
    assert.equal(normalizeValue('raw.UserId', 'CONTOSO\\Alice'), 'contoso\\alice');
    assert.equal(normalizeValue('user.email', 'Bob@Fabrikam.com'), 'bob@fabrikam.com');
    assert.equal(normalizeValue('MailboxOwnerUPN', 'Carol@Contoso.com'), 'carol@contoso.com');
    assert.equal(normalizeValue('Parameters.ForwardTo', 'Drop@Evil.example'), 'drop@evil.example', 'an address in any field');
    assert.equal(normalizeValue('ClientIP', 'FE80::1'), 'FE80::1');
    assert.equal(normalizeValue('Operation', 'New-InboxRule'), 'New-InboxRule');
    const file = 'https://contoso.sharepoint.com/sites/HR/Shared Documents/Plan.docx';
    assert.equal(normalizeValue('ObjectId', file), file);
    for (const notAnAddress of [
      'https://contoso.sharepoint.com/personal/A@B',
      'Mailbox:Alice@Contoso.com',
      'Alice@Contoso.com/Inbox',
    ])
      assert.equal(normalizeValue('ObjectId', notAnAddress), notAnAddress, 'a URL or path holding an @ keeps its case');
    assert.equal(entityKind('UserId'), 'user');
    assert.equal(entityKind('ClientIP'), 'ip');
  });

  it('a correlation grouped by the raw UserId counts Alice@Contoso.com and alice@contoso.com as one user', () => {
    const base = ruleFromYaml(`
title: Failed sign-in
id: failed
name: failed
logsource: {product: m365}
detection:
  sel: {Operation: UserLoginFailed}
  condition: sel
`);
    const many = ruleFromYaml(`
title: Many failures
id: many
correlation: {type: event_count, rules: [failed], group-by: [UserId], timespan: 10m, condition: {gte: 3}}
`);
    const detector = createDetector({ rules: [base, many] });
    const t0 = Date.UTC(2024, 0, 1);
    const alerts = ['Alice@Contoso.com', 'alice@contoso.com', 'ALICE@CONTOSO.COM'].flatMap((user, i) =>
      detector.process(makeEvent({}, { Operation: 'UserLoginFailed', UserId: user }, { time: t0 + i * 60_000, id: `t1:e${i}` })),
    );
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.groupBy, { UserId: 'alice@contoso.com' });
    assert.deepEqual(alerts[0]!.entity, { kind: 'user', value: 'alice@contoso.com' });
  });
});
