import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetector } from './detector.ts';
import { makeEvent, ruleFromYaml } from './test-support/events.ts';
import type { DetectableEvent, LoadedRule } from './types.ts';

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1, 12);

const failedLogin = ruleFromYaml(`
title: Failed login
id: failed-login
name: failed_login
logsource: {product: m365}
detection:
  sel: {event.action: UserLoginFailed}
  condition: sel
`);
const success = ruleFromYaml(`
title: Successful login
id: ok-login
name: ok_login
logsource: {product: m365}
detection:
  sel: {event.action: UserLoggedIn}
  condition: sel
`);

function login(
  action: string,
  user: string,
  minute: number,
  extra: Record<string, unknown> = {},
  tenantId = 't1',
): DetectableEvent {
  return makeEvent(
    { event: { action }, user: { name: user }, ...extra },
    {},
    { time: T0 + minute * MIN, tenantId, id: `${tenantId}:${action}-${user}-${minute}-${JSON.stringify(extra)}` },
  );
}

function run(rules: LoadedRule[], events: DetectableEvent[], opts: { maxGroups?: number } = {}) {
  const detector = createDetector({ rules, ...opts });
  const alerts = events.flatMap((e) => detector.process(e));
  return { detector, alerts };
}

const bruteForce = ruleFromYaml(`
title: Brute force
id: brute
name: brute_force
level: medium
correlation:
  type: event_count
  rules: [failed_login]
  group-by: [user.name]
  timespan: 10m
  condition: {gte: 3}
`);

describe('event_count', () => {
  it('fires once the count is reached within the timespan, per group, and base rules stay silent', () => {
    const events = [
      login('UserLoginFailed', 'a', 0),
      login('UserLoginFailed', 'b', 1),
      login('UserLoginFailed', 'a', 2),
      login('UserLoginFailed', 'a', 5),
    ];
    const { alerts } = run([failedLogin, bruteForce], events);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, 'brute');
    assert.deepEqual(alerts[0]!.groupBy, { 'user.name': 'a' });
    assert.equal(alerts[0]!.eventIds.length, 3);
    assert.equal(alerts[0]!.time, T0 + 5 * MIN);
  });
  it('does not fire when the events are spread wider than the timespan', () => {
    const events = [login('UserLoginFailed', 'a', 0), login('UserLoginFailed', 'a', 8), login('UserLoginFailed', 'a', 16)];
    assert.equal(run([failedLogin, bruteForce], events).alerts.length, 0);
  });
  it('uses event time: out-of-order arrival gives the same alert as in-order', () => {
    const inOrder = [login('UserLoginFailed', 'a', 0), login('UserLoginFailed', 'a', 4), login('UserLoginFailed', 'a', 9)];
    const shuffled = [inOrder[2]!, inOrder[0]!, inOrder[1]!];
    const a = run([failedLogin, bruteForce], inOrder).alerts;
    const b = run([failedLogin, bruteForce], shuffled).alerts;
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    assert.equal(a[0]!.id, b[0]!.id);
  });
  it('late events fill the window they belong to', () => {
    const events = [
      login('UserLoginFailed', 'a', 0),
      login('UserLoginFailed', 'a', 30),
      login('UserLoginFailed', 'a', 3),
      login('UserLoginFailed', 'a', 6),
    ];
    const { alerts } = run([failedLogin, bruteForce], events);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.time, T0 + 6 * MIN);
  });
  it('keeps tenants apart', () => {
    const events = [
      login('UserLoginFailed', 'a', 0, {}, 't1'),
      login('UserLoginFailed', 'a', 1, {}, 't2'),
      login('UserLoginFailed', 'a', 2, {}, 't1'),
    ];
    assert.equal(run([failedLogin, bruteForce], events).alerts.length, 0);
  });
  it('replaying the same events gives the same alert ids', () => {
    const events = [0, 1, 2].map((m) => login('UserLoginFailed', 'a', m));
    assert.deepEqual(
      run([failedLogin, bruteForce], events).alerts.map((a) => a.id),
      run([failedLogin, bruteForce], events).alerts.map((a) => a.id),
    );
  });
  it('bounds state: beyond maxGroups the least recently used group is evicted', () => {
    const events = Array.from({ length: 50 }, (_, i) => login('UserLoginFailed', `user${i}`, 0));
    const { detector } = run([failedLogin, bruteForce], events, { maxGroups: 10 });
    assert.equal(detector.stats().correlation.groups, 10);
    assert.equal(detector.stats().correlation.evictedGroups, 40);
  });
  it('bounds state: a group keeps at most maxEntriesPerGroup matches', () => {
    const many = ruleFromYaml(`
title: Many
id: many
correlation: {type: event_count, rules: [failed_login], group-by: [user.name], timespan: 1h, condition: {gte: 1000}}
`);
    const detector = createDetector({ rules: [failedLogin, many], maxEntriesPerGroup: 5 });
    for (let i = 0; i < 20; i++) detector.process(login('UserLoginFailed', 'a', i / 10));
    assert.equal(detector.stats().correlation.droppedEntries, 15);
  });
  it('expires groups once the watermark has passed their window and the lateness allowance', () => {
    const detector = createDetector({ rules: [failedLogin, bruteForce], allowedLatenessMs: 5 * MIN });
    detector.process(login('UserLoginFailed', 'a', 0));
    detector.process(login('UserLoginFailed', 'b', 1));
    assert.equal(detector.stats().correlation.groups, 2);
    // The wall clock plays no part: only the tenant's event time moving on closes and expires state.
    assert.deepEqual(detector.flush(), []);
    assert.equal(detector.stats().correlation.groups, 2);
    detector.process(login('UserLoginFailed', 'c', 60));
    detector.flush();
    assert.equal(detector.stats().correlation.groups, 1);
    assert.equal(detector.stats().correlation.expiredGroups, 2);
  });
  it('conditions with an upper bound are decided when the window closes', () => {
    const quiet = ruleFromYaml(`
title: Few failures
id: few
correlation: {type: event_count, rules: [failed_login], group-by: [user.name], timespan: 10m, condition: {gte: 2, lte: 3}}
`);
    const detector = createDetector({ rules: [failedLogin, quiet], allowedLatenessMs: 5 * MIN });
    for (const m of [0, 1, 2, 3]) assert.deepEqual(detector.process(login('UserLoginFailed', 'a', m)), []);
    detector.process(login('UserLoginFailed', 'b', 0));
    detector.process(login('UserLoginFailed', 'b', 1));
    assert.deepEqual(detector.flush(), []);
    const alerts = [...detector.process(login('UserLoggedIn', 'z', 30)), ...detector.flush()];
    assert.deepEqual(
      alerts.map((a) => a.groupBy),
      [{ 'user.name': 'b' }],
    );
  });
});

describe('value_count', () => {
  it('counts distinct values (impossible travel by country)', () => {
    const travel = ruleFromYaml(`
title: Country change
id: travel
correlation:
  type: value_count
  rules: [ok_login]
  group-by: [user.name]
  timespan: 15m
  condition: {gte: 2, field: source.geo.country_iso_code}
`);
    const geo = (c: string) => ({ source: { geo: { country_iso_code: c } } });
    const same = [login('UserLoggedIn', 'a', 0, geo('FR')), login('UserLoggedIn', 'a', 5, geo('FR'))];
    assert.equal(run([success, travel], same).alerts.length, 0);
    const moved = [login('UserLoggedIn', 'a', 0, geo('FR')), login('UserLoggedIn', 'a', 5, geo('NG'))];
    const { alerts } = run([success, travel], moved);
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]!.ruleId, 'travel');
  });
});

describe('value_sum and value_avg', () => {
  const downloads = ruleFromYaml(`
title: Download
id: dl
name: dl
logsource: {product: m365}
detection:
  sel: {event.action: FileDownloaded}
  condition: sel
`);
  const dl = (minute: number, bytes: number | string) =>
    makeEvent(
      { event: { action: 'FileDownloaded' }, user: { name: 'a' }, file: { size: bytes } },
      {},
      { time: T0 + minute * MIN },
    );
  it('value_sum fires when the total in a window reaches the bound', () => {
    const sum = ruleFromYaml(`
title: Big transfer
id: sum
correlation: {type: value_sum, rules: [dl], group-by: [user.name], timespan: 10m, condition: {gte: 1000, field: file.size}}
`);
    assert.deepEqual(run([downloads, sum], [dl(0, 400), dl(20, 700)]).alerts, []);
    assert.deepEqual(
      run([downloads, sum], [dl(0, 400), dl(5, '700')]).alerts.map((a) => a.ruleId),
      ['sum'],
    );
  });
  it('value_avg is decided when the window closes', () => {
    const avg = ruleFromYaml(`
title: Large files
id: avg
correlation: {type: value_avg, rules: [dl], group-by: [user.name], timespan: 10m, condition: {gt: 500, field: file.size}}
`);
    const detector = createDetector({ rules: [downloads, avg], allowedLatenessMs: 0 });
    assert.deepEqual(
      [dl(0, 900), dl(1, 900)].flatMap((e) => detector.process(e)),
      [],
    );
    assert.deepEqual(
      detector.process(dl(30, 1)).map((a) => a.ruleId),
      ['avg'],
    );
    const low = createDetector({ rules: [downloads, avg], allowedLatenessMs: 0 });
    for (const e of [dl(0, 900), dl(1, 10), dl(2, 10)]) low.process(e);
    assert.deepEqual(low.process(dl(30, 1)), []);
  });
});

describe('temporal and temporal_ordered, chaining, generate, aliases', () => {
  const followedBy = ruleFromYaml(`
title: Brute force then success
id: brute-success
level: high
correlation:
  type: temporal_ordered
  rules: [brute_force, ok_login]
  group-by: [user.name]
  timespan: 30m
`);
  it('chains a correlation into a temporal_ordered one; the intermediate correlation does not alert (generate: false)', () => {
    const events = [0, 1, 2].map((m) => login('UserLoginFailed', 'a', m)).concat(login('UserLoggedIn', 'a', 4));
    const { alerts } = run([failedLogin, success, bruteForce, followedBy], events);
    assert.deepEqual(
      alerts.map((a) => a.ruleId),
      ['brute-success'],
    );
    assert.equal(alerts[0]!.level, 'high');
    assert.equal(alerts[0]!.eventIds.length, 4);
  });
  it('with generate: true the intermediate correlation alerts too', () => {
    const generating = { ...followedBy, generate: true } as LoadedRule;
    const events = [0, 1, 2].map((m) => login('UserLoginFailed', 'a', m)).concat(login('UserLoggedIn', 'a', 4));
    assert.deepEqual(
      run([failedLogin, success, bruteForce, generating], events).alerts.map((a) => a.ruleId),
      ['brute', 'ok-login', 'brute-success'],
    );
  });
  it('a brute force then success alert lists the failures and the successes after them, not the sign-ins before', () => {
    const ordinary = [0, 1, 2, 3, 4, 5].map((m) => login('UserLoggedIn', 'a', m, { n: m }));
    const failures = [6, 7, 8].map((m) => login('UserLoginFailed', 'a', m));
    const guessed = login('UserLoggedIn', 'a', 9, { n: 'guessed' });
    const later = [10, 11].map((m) => login('UserLoggedIn', 'a', m, { n: m }));
    const { alerts } = run([failedLogin, success, bruteForce, followedBy], [...ordinary, ...failures, guessed, ...later]);
    // The guessed sign-in raises the alert; each later success within the timespan follows the brute force too and
    // raises it again (same id), counted.
    assert.deepEqual(new Set(alerts.map((a) => a.id)).size, 1);
    const latest = alerts.at(-1)!;
    assert.deepEqual(latest.eventIds, [...failures, guessed, ...later].map((e) => e.id).sort());
    assert.equal(latest.count, 3);
    assert.deepEqual(latest.entity, { kind: 'user', value: 'a' });
  });
  it('temporal_ordered needs the order; temporal does not', () => {
    const events = [login('UserLoggedIn', 'a', 0)].concat([1, 2, 3].map((m) => login('UserLoginFailed', 'a', m)));
    assert.deepEqual(
      run([failedLogin, success, bruteForce, followedBy], events).alerts.map((a) => a.ruleId),
      [],
    );
    const anyOrder = ruleFromYaml(`
title: Both
id: both
correlation: {type: temporal, rules: [brute_force, ok_login], group-by: [user.name], timespan: 30m}
`);
    assert.deepEqual(
      run([failedLogin, success, bruteForce, anyOrder], events).alerts.map((a) => a.ruleId),
      ['both'],
    );
  });
  it('generate: true keeps the base rule alerts', () => {
    const generating = ruleFromYaml(`
title: Brute force
id: brute
correlation: {type: event_count, rules: [failed_login], group-by: [user.name], timespan: 10m, condition: {gte: 2}, generate: true}
`);
    const events = [0, 1].map((m) => login('UserLoginFailed', 'a', m));
    assert.deepEqual(
      run([failedLogin, generating], events).alerts.map((a) => a.ruleId),
      ['failed-login', 'failed-login', 'brute'],
    );
  });
  it('aliases unify differently named fields across rules', () => {
    const ip = ruleFromYaml(`
title: Same IP
id: same-ip
correlation:
  type: temporal
  rules: [failed_login, ok_login]
  group-by: [ip]
  timespan: 5m
  aliases:
    ip: {failed_login: source.ip, ok_login: client.ip}
`);
    const events = [
      login('UserLoginFailed', 'a', 0, { source: { ip: '1.1.1.1' } }),
      login('UserLoggedIn', 'b', 1, { client: { ip: '1.1.1.1' } }),
    ];
    const { alerts } = run([failedLogin, success, ip], events);
    assert.deepEqual(
      alerts.map((a) => a.groupBy),
      [{ ip: '1.1.1.1' }],
    );
  });
  it('reports a correlation that references an unknown rule', () => {
    const broken = ruleFromYaml(`
title: Broken
id: broken
correlation: {type: event_count, rules: [nope], timespan: 5m, condition: {gte: 1}}
`);
    const detector = createDetector({ rules: [failedLogin, broken] });
    assert.match(detector.problems[0]!.message, /unknown rule\(s\): nope/);
  });
});

describe('Sekoia.io correlation dialect', () => {
  it('accepts action: correlation with rule, group-by string, field and ordered', () => {
    const count = ruleFromYaml(`
title: Users per source
name: users_per_source
action: correlation
type: value_count
rule: failed_login
group-by: source.ip
field: user.name
timespan: 5m
condition: {gte: 2}
`);
    assert.equal(count.kind, 'correlation');
    if (count.kind !== 'correlation') return;
    assert.deepEqual(
      [count.type, count.rules, count.groupBy, count.valueFields, count.timespanMs],
      ['value_count', ['failed_login'], ['source.ip'], ['user.name'], 5 * MIN],
    );
    const ip = { source: { ip: '192.0.2.9' } };
    assert.equal(
      run([failedLogin, count], [login('UserLoginFailed', 'a', 0, ip), login('UserLoginFailed', 'b', 1, ip)]).alerts.length,
      1,
    );
    const ordered = ruleFromYaml(
      'title: o\naction: correlation\ntype: temporal\nordered: true\nrule: [failed_login, ok_login]\ntimespan: 5m\n',
    );
    assert.equal(ordered.kind === 'correlation' && ordered.type, 'temporal_ordered');
  });
});

describe('spec points', () => {
  it('event_count counts events, not (event, rule) pairs', () => {
    const anyFailure = ruleFromYaml(`
title: Any failure
id: any-failure
name: any_failure
logsource: {product: m365}
detection:
  sel: {event.action|startswith: UserLogin}
  condition: sel
`);
    const twoRules = ruleFromYaml(`
title: Three failures
id: three
correlation: {type: event_count, rules: [failed_login, any_failure], group-by: [user.name], timespan: 10m, condition: {gte: 3}}
`);
    const two = [0, 1].map((m) => login('UserLoginFailed', 'a', m));
    assert.deepEqual(run([failedLogin, anyFailure, twoRules], two).alerts, []);
    const three = [0, 1, 2].map((m) => login('UserLoginFailed', 'a', m));
    const { alerts } = run([failedLogin, anyFailure, twoRules], three);
    assert.deepEqual(
      alerts.map((a) => [a.ruleId, a.eventIds.length]),
      [['three', 3]],
    );
  });

  it('condition.field may be a list: value_count counts distinct combinations', () => {
    const pairs = ruleFromYaml(`
title: Many user and address pairs
id: pairs
correlation:
  type: value_count
  rules: [failed_login]
  group-by: [event.action]
  timespan: 10m
  condition: {field: [user.name, source.ip], gte: 3}
`);
    const at = (user: string, ip: string, m: number) => login('UserLoginFailed', user, m, { source: { ip } });
    // Two users and two addresses, but only two distinct pairs.
    assert.deepEqual(
      run([failedLogin, pairs], [at('a', '192.0.2.1', 0), at('b', '192.0.2.2', 1), at('a', '192.0.2.1', 2)]).alerts,
      [],
    );
    const { alerts } = run([failedLogin, pairs], [at('a', '192.0.2.1', 0), at('b', '192.0.2.2', 1), at('a', '192.0.2.2', 2)]);
    assert.deepEqual(
      alerts.map((a) => a.ruleId),
      ['pairs'],
    );
    assert.throws(
      () =>
        ruleFromYaml('title: x\ncorrelation: {type: value_sum, rules: [a], timespan: 5m, condition: {field: [a, b], gte: 1}}\n'),
      /takes one field for value_sum/,
    );
  });

  it('value_percentile fires for values rarer than the bound and lists only their events', () => {
    const rare = ruleFromYaml(`
title: Rare application for the user
id: rare
correlation:
  type: value_percentile
  rules: [ok_login]
  group-by: [user.name]
  timespan: 1h
  condition: {field: app, lte: 10}
`);
    const detector = createDetector({ rules: [success, rare], allowedLatenessMs: 0 });
    const usual = Array.from({ length: 19 }, (_, i) => login('UserLoggedIn', 'a', i, { app: 'Outlook' }));
    const odd = login('UserLoggedIn', 'a', 30, { app: 'PowerShell' });
    for (const e of [...usual, odd]) assert.deepEqual(detector.process(e), []);
    // Another user's sign-in two hours later moves the watermark past the window; the periodic flush decides it.
    const alerts = [...detector.process(login('UserLoggedIn', 'other', 120, { app: 'x' })), ...detector.flush()];
    assert.deepEqual(
      alerts.map((a) => [a.ruleId, a.eventIds]),
      [['rare', [odd.id]]],
    );
  });

  it('group-by and distinct values compare user names and e-mail addresses case-insensitively', () => {
    const events = ['Alice@Contoso.com', 'alice@contoso.com', 'ALICE@CONTOSO.COM'].map((u, m) => login('UserLoginFailed', u, m));
    const { alerts } = run([failedLogin, bruteForce], events);
    assert.equal(alerts.length, 1);
    assert.deepEqual(alerts[0]!.groupBy, { 'user.name': 'alice@contoso.com' });
    const spray = ruleFromYaml(`
title: Spray
id: spray
correlation: {type: value_count, rules: [failed_login], group-by: [source.ip], timespan: 10m, condition: {field: user.name, gte: 2}}
`);
    const ip = { source: { ip: '192.0.2.7' } };
    const sameUser = ['Bob', 'bob', 'BOB'].map((u, m) => login('UserLoginFailed', u, m, ip));
    assert.deepEqual(run([failedLogin, spray], sameUser).alerts, []);
  });

  it('a tenant with 1M groups stays bounded: least recently used groups are evicted and counted', async () => {
    const { metricsRegistry } = await import('../observability/metrics.ts');
    const metric = async () =>
      (await metricsRegistry.getSingleMetric('o365_intake_detect_evicted_groups_total')!.get()).values
        .filter((v) => v.labels.kind === 'correlation')
        .reduce((n, v) => n + v.value, 0);
    const before = await metric();
    const detector = createDetector({ rules: [failedLogin, bruteForce] });
    const event = login('UserLoginFailed', 'x', 0);
    for (let i = 0; i < 1_000_000; i++) {
      detector.process({ ...event, id: `t1:${i}`, ecs: { event: { action: 'UserLoginFailed' }, user: { name: `u${i}` } } });
    }
    const stats = detector.stats().correlation;
    assert.equal(stats.groups, 100_000);
    assert.equal(stats.evictedGroups, 900_000);
    assert.equal((await metric()) - before, 900_000);
  });
});
