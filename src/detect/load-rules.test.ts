import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createDetector } from './detector.ts';
import { loadRules } from './load-rules.ts';
import { makeEvent } from './test-support/events.ts';

const GOOD = `title: Inbox rule
id: 11111111-1111-1111-1111-111111111111
author: tester
level: high
tags: [attack.collection, attack.t1114.003]
logsource: {product: m365, service: audit}
detection:
  sel: {Operation: New-InboxRule}
  condition: sel
`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'detect-rules-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('loadRules', () => {
  it('loads folders recursively; a bad rule names its file and problem, the others still load', () => {
    const dir = folder({
      'good.yml': GOOD,
      'sub/bad-modifier.yaml': GOOD.replace('id: 1111', 'id: 2222').replace('Operation:', 'Operation|nope:'),
      'bad-yaml.yml': 'title: [unclosed',
      'windows.yml': GOOD.replace('id: 1111', 'id: 3333').replace('product: m365', 'product: windows'),
      'dup.yml': GOOD,
      'notes.txt': 'ignored',
    });
    const { rules, errors } = loadRules([dir, join(dir, 'missing.yml')]);
    assert.deepEqual(
      rules.map((r) => r.id),
      ['11111111-1111-1111-1111-111111111111'],
    );
    const messages = errors.map((e) => e.message).sort();
    assert.equal(messages.length, 5);
    assert.ok(messages.some((m) => m.includes('bad-modifier.yaml') && m.includes('unknown modifier "nope"')));
    assert.ok(messages.some((m) => m.includes('bad-yaml.yml') && m.includes('invalid YAML')));
    assert.ok(messages.some((m) => m.includes('windows.yml') && m.includes('logsource product "windows"')));
    assert.ok(messages.some((m) => m.includes('good.yml') && m.includes('duplicate rule id "11111111')));
    assert.ok(messages.some((m) => m.includes('missing.yml') && m.includes('no such file')));
  });

  it('loads multi-document files with rules, correlations and filters; filters tune per tenant', () => {
    const dir = folder({
      'set.yml': `${GOOD}---
title: Allowed forwarding for tenant t1
filter:
  rules: [11111111-1111-1111-1111-111111111111]
  sel: {Parameters.ForwardTo|endswith: '@partner.com'}
  condition: sel
tenants: [t1]
---
title: Many inbox rules
id: many
correlation: {type: event_count, rules: [11111111-1111-1111-1111-111111111111], timespan: 1h, condition: {gte: 100}, generate: true}
`,
    });
    const { rules, filters, errors } = loadRules([dir]);
    assert.deepEqual(errors, []);
    assert.equal(rules.length, 2);
    assert.equal(filters.length, 1);
    const detector = createDetector({ rules, filters });
    const raw = { Operation: 'New-InboxRule', Parameters: [{ Name: 'ForwardTo', Value: 'x@partner.com' }] };
    assert.deepEqual(detector.process(makeEvent({}, raw, { tenantId: 't1' })), []);
    const alerts = detector.process(makeEvent({}, raw, { tenantId: 't2', tenantName: 'Fabrikam' }));
    assert.equal(alerts.length, 1);
    const alert = alerts[0]!;
    assert.equal(alert.author, 'tester');
    assert.equal(alert.level, 'high');
    assert.deepEqual(alert.attack, ['T1114.003']);
    assert.equal(alert.tenantId, 't2');
    assert.equal(alert.tenantName, 'Fabrikam');
    assert.equal(detector.stats().filtered, 1);
  });

  it('rejects invalid correlations with a clear message', () => {
    const dir = folder({
      'c.yml':
        'title: x\nid: c1\ncorrelation: {type: value_median, rules: [a], timespan: 5m, condition: {gte: 1}}\n---\ntitle: y\nid: c2\ncorrelation: {type: event_count, rules: [a], timespan: 5 minutes, condition: {gte: 1}}\n---\ntitle: z\nid: c3\ncorrelation: {type: value_count, rules: [a], timespan: 5m, condition: {gte: 1}}\n',
    });
    const messages = loadRules([dir]).errors.map((e) => e.message);
    assert.match(messages[0]!, /c\.yml#1 \(rule c1\): correlation type "value_median" is not supported/);
    assert.match(messages[1]!, /timespan: 5 minutes" must look like/);
    assert.match(messages[2]!, /value_count needs "correlation.condition.field"/);
  });

  it('reads the level whatever its case, and refuses an unknown level', () => {
    const dir = folder({
      'upper.yml': GOOD.replace('level: high', 'level: High'),
      'bogus.yml': GOOD.replace('id: 1111', 'id: 3333').replace('level: high', 'level: severe'),
    });
    const { rules, errors } = loadRules([dir]);
    assert.deepEqual(
      rules.map((r) => r.level),
      ['high'],
    );
    assert.match(errors[0]!.message, /"level: severe" is not one of informational, low, medium, high, critical/);
  });

  it('reads Sigma v1 rule collections: global attributes merge into each rule, repeat and reset work', () => {
    const dir = folder({
      'collection.yml': [
        'action: global\ntitle: Shared title\nauthor: someone\nlevel: high\nlogsource: {product: m365}\ndetection:\n  condition: sel',
        'id: first\ndetection:\n  sel: {Operation: New-InboxRule}',
        'action: repeat\nid: second\ndetection:\n  sel: {Operation: Set-InboxRule}',
        'action: reset',
        'id: third\ntitle: Alone\nlogsource: {product: m365}\ndetection:\n  sel: {Operation: Remove-InboxRule}\n  condition: sel',
        'action: repeat\nid: fourth\nlevel: low',
        'id: fifth\ndetection:\n  sel: {Operation: x}\n  condition: sel',
      ].join('\n---\n'),
      'orphan.yml': 'action: repeat\nid: orphan\n',
    });
    const { rules, errors } = loadRules([dir]);
    const byId = new Map(rules.map((r) => [r.id, r]));
    assert.deepEqual([...byId.keys()], ['first', 'second', 'third', 'fourth']);
    assert.equal(byId.get('first')!.title, 'Shared title');
    assert.equal(byId.get('first')!.author, 'someone');
    assert.equal(byId.get('second')!.level, 'high');
    assert.equal(byId.get('third')!.author, undefined, 'reset drops the global attributes');
    assert.equal(byId.get('fourth')!.level, 'low');
    assert.equal(byId.get('fourth')!.title, 'Alone');
    const match = (id: string, operation: string) =>
      byId.get(id)!.kind === 'detection' &&
      (byId.get(id) as { match: (e: unknown) => boolean }).match(makeEvent({}, { Operation: operation }));
    assert.equal(match('first', 'New-InboxRule'), true);
    assert.equal(match('second', 'Set-InboxRule'), true);
    assert.equal(match('second', 'New-InboxRule'), false, 'repeat replaces the selection it redefines');
    assert.equal(match('fourth', 'Remove-InboxRule'), true);
    assert.deepEqual(
      errors.map((e) => e.message.replace(dir, '')),
      ['/collection.yml#7 (rule fifth): "title" is missing', '/orphan.yml: "action: repeat" has no rule before it to repeat'],
    );
  });
});
