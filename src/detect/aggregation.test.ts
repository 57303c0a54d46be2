import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseAggregation } from './aggregation.ts';
import { createDetector } from './detector.ts';
import { parseRuleDocument } from './parse-rule.ts';
import { makeEvent } from './test-support/events.ts';
import type { CorrelationRule, DetectableEvent, DetectionRule, LoadedRule } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 12);

function rules(yaml: string): LoadedRule[] {
  return parseRuleDocument(parse(yaml), 'v1.yml') as LoadedRule[];
}

function failure(user: string, minute: number, ip = '203.0.113.7'): DetectableEvent {
  return makeEvent(
    { event: { action: 'UserLoginFailed' }, user: { name: user }, source: { ip } },
    {},
    { time: T0 + minute * MIN, id: `t1:${user}-${minute}-${ip}` },
  );
}

const v1Rule = (condition: string, timeframe = 'timeframe: 10m') => `
title: Many failures
id: v1-brute
author: someone
level: high
logsource: {product: m365}
detection:
  selection: {event.action: UserLoginFailed}
  ${timeframe}
  condition: ${condition}
`;

describe('Sigma v1 aggregations', () => {
  it('parses count, sum and avg with their field, group-by and bound', () => {
    assert.deepEqual(parseAggregation('selection | count() by src_ip > 1000'), {
      search: 'selection',
      type: 'event_count',
      groupBy: ['src_ip'],
      condition: { gt: 1000 },
    });
    assert.deepEqual(parseAggregation('sel and not filter | count(TargetUserName) by IpAddress >= 5'), {
      search: 'sel and not filter',
      type: 'value_count',
      field: 'TargetUserName',
      groupBy: ['IpAddress'],
      condition: { gte: 5 },
    });
    assert.deepEqual(parseAggregation('selection | count() > 6'), {
      search: 'selection',
      type: 'event_count',
      groupBy: [],
      condition: { gt: 6 },
    });
    assert.equal(parseAggregation('1 of sel* | sum(bytes) by host < 10')?.type, 'value_sum');
    assert.deepEqual(parseAggregation('selection | avg(size) by a, b == 3')?.groupBy, ['a', 'b']);
    assert.deepEqual(parseAggregation('selection | count() by TaskName != 5')?.condition, { neq: 5 });
    assert.equal(parseAggregation('selection and not filter'), undefined);
  });

  it('names what it cannot evaluate', () => {
    assert.throws(() => parseAggregation('selection | max(bytes) by host > 5'), /"max\(\)" has no correlation equivalent/);
    assert.throws(() => parseAggregation('selection | sum() by host > 5'), /sum\(\) needs a field/);
    assert.throws(() => parseAggregation('selection | count() by host'), /must look like/);
    assert.throws(() => parseAggregation('| count() > 1'), /no search before "\|"/);
  });

  it('becomes the search as a silenced rule and a correlation with the rule id, metadata and timeframe', () => {
    const [search, correlation] = rules(v1Rule('selection | count(source.ip) by user.name > 2')) as [
      DetectionRule,
      CorrelationRule,
    ];
    assert.equal(search.kind, 'detection');
    assert.equal(search.id, 'v1-brute:search');
    assert.equal(correlation.kind, 'correlation');
    assert.equal(correlation.id, 'v1-brute');
    assert.equal(correlation.author, 'someone');
    assert.equal(correlation.level, 'high');
    assert.equal(correlation.type, 'value_count');
    assert.deepEqual(correlation.valueFields, ['source.ip']);
    assert.deepEqual(correlation.rules, ['v1-brute:search']);
    assert.deepEqual(correlation.groupBy, ['user.name']);
    assert.equal(correlation.timespanMs, 10 * MIN);
    assert.equal(correlation.generate, false);
    const topLevel = rules(v1Rule('selection | count() > 2', '').replace('level: high', 'level: high\ntimeframe: 2h'));
    assert.equal((topLevel[1] as CorrelationRule).timespanMs, 120 * MIN);
    const none = rules(v1Rule('selection | count() > 2', ''));
    assert.equal((none[1] as CorrelationRule).timespanMs, 24 * 60 * MIN, 'no timeframe: one day');
  });

  it('count() by fires on the events of the window and the search alone raises nothing', () => {
    const detector = createDetector({ rules: rules(v1Rule('selection | count() by user.name > 2')) });
    const quiet = [failure('a', 0), failure('a', 3), failure('b', 4)].flatMap((e) => detector.process(e));
    assert.deepEqual(quiet, [], 'two failures of a, one of b: nothing');
    const alerts = detector.process(failure('a', 6));
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, 'v1-brute');
    assert.deepEqual(alerts[0]!.groupBy, { 'user.name': 'a' });
    assert.equal(alerts[0]!.eventIds.length, 3);
    assert.deepEqual(detector.process(failure('c', 40)), []);
  });

  it('count(field) counts distinct values, as Sigma v1 backends did', () => {
    const rule = v1Rule('selection | count(source.ip) by user.name >= 3');
    const sameIp = createDetector({ rules: rules(rule) });
    assert.deepEqual(
      [failure('a', 0), failure('a', 1), failure('a', 2), failure('a', 3)].flatMap((e) => sameIp.process(e)),
      [],
    );
    const threeIps = createDetector({ rules: rules(rule) });
    const alerts = [failure('a', 0, '198.51.100.1'), failure('a', 1, '198.51.100.2'), failure('a', 2, '198.51.100.3')].flatMap(
      (e) => threeIps.process(e),
    );
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, 'v1-brute');
  });
});
