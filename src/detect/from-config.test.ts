import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectionSchema } from './config.ts';
import { detectorFromConfig } from './from-config.ts';
import { signIn } from './test-support/o365-records.ts';
import { normalize } from '../normalize/index.ts';

describe('detection config', () => {
  it('has defaults and parses durations', () => {
    const config = detectionSchema.parse({});
    assert.equal(config.allowed_lateness, 24 * 3_600_000);
    assert.equal(config.alert_grouping, 3_600_000);
    assert.equal(config.max_groups, 100_000);
    assert.equal(detectionSchema.parse({ allowed_lateness: '30m' }).allowed_lateness, 1_800_000);
    assert.throws(() => detectionSchema.parse({ max_groups: 0 }));
    assert.throws(() => detectionSchema.parse({ allowed_lateness: '8d' }), /at most 7d/);
    assert.throws(() => detectionSchema.parse({ allowed_lateness: 'a day' }), /not a duration/);
  });

  it('builds a detector from the bundled rules, minus disabled ones, and reports unknown disabled ids', () => {
    const enabled = detectorFromConfig(detectionSchema.parse({}));
    assert.deepEqual(enabled.errors, []);
    const raw = signIn('UserLoggedIn', { requestType: 'Cmsi:Cmsi' });
    const event = { id: `t:${raw.Id}`, tenantId: 't', time: 0, ecs: normalize(raw), raw };
    const fired = enabled.detector.process(event).map((a) => a.title);
    assert.ok(fired.includes('Sign-In With The Device Code Flow'));

    const id = 'af36fb32-6b8e-5b8e-9a2f-3bc8c2c1e6b5';
    const ruleId = enabled.detector
      .process({ ...event, id: 't:again' })
      .find((a) => a.title === 'Sign-In With The Device Code Flow')!.ruleId;
    const disabled = detectorFromConfig(detectionSchema.parse({ disabled_rules: [ruleId, id] }));
    assert.ok(!disabled.detector.process(event).some((a) => a.ruleId === ruleId));
    assert.match(disabled.errors.map((e) => e.message).join('\n'), new RegExp(`no loaded rule has id or name "${id}"`));
  });

  it('a disabled Sigma v1 aggregation takes its search with it; a filter naming it filters its events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'v1-rules-'));
    writeFileSync(
      join(dir, 'v1.yml'),
      [
        'title: Many device code sign-ins\nid: v1-many\nlogsource: {product: m365}',
        'detection:\n  sel: {Operation: UserLoggedIn}\n  timeframe: 10m\n  condition: sel | count() by UserId > 1',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'filter.yml'),
      'title: Not the lab account\nfilter:\n  rules: [v1-many]\n  lab: {UserId: lab@contoso.com}\n  condition: lab\n',
    );
    const raw = (user: string, i: number) => signIn('UserLoggedIn', { user, minute: i });
    const run = (disabledRules: string[], user: string) => {
      const { detector, errors } = detectorFromConfig(
        detectionSchema.parse({ bundled_rules: false, rules: [dir], disabled_rules: disabledRules }),
      );
      // Disabled, the rule leaves its filter naming nothing loaded: that is reported, as for any disabled rule.
      assert.deepEqual(
        errors.map((e) => e.message.slice(e.message.indexOf('): ') + 3)),
        disabledRules.length === 0 ? [] : ['filter "Not the lab account" names no loaded rule (v1-many, v1-many:search)'],
      );
      return [0, 1, 2].flatMap((i) => {
        const r = raw(user, i);
        return detector.process({
          id: `t:${r.Id}`,
          tenantId: 't',
          time: Date.parse(String(r.CreationTime)),
          ecs: normalize(r),
          raw: r,
        });
      });
    };
    assert.deepEqual(
      [...new Set(run([], 'alice@contoso.com').map((a) => a.ruleId))],
      ['v1-many'],
      'the count alerts (raised again on the third sign-in), its search does not',
    );
    assert.deepEqual(run(['v1-many'], 'alice@contoso.com'), [], 'neither the count nor its search alerts');
    assert.deepEqual(run([], 'lab@contoso.com'), [], 'the filter applies to the events the search matches');
  });
});
