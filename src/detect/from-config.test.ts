import assert from 'node:assert/strict';
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
});
