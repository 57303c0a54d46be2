import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorSchema } from './config.ts';
import { emulatorOptionsFromConfig } from './options-from-config.ts';

describe('emulator config', () => {
  it('has safe defaults: no chaos, 1 h backfill, 7 d retention', () => {
    const options = emulatorOptionsFromConfig(emulatorSchema.parse(undefined));
    assert.equal(options.backfillMs, 3_600_000);
    assert.equal(options.retentionMs, 7 * 86_400_000);
    assert.deepEqual(options.live, { eventsPerMinute: 120, recordsPerBlob: 80, scenarios: true });
    assert.equal(options.chaos?.transientError, 0);
    assert.equal(options.chaos?.throttleStatus, 403);
  });

  it('maps durations and chaos keys', () => {
    const options = emulatorOptionsFromConfig(
      emulatorSchema.parse({
        backfill: '2d',
        retention: '14d',
        chaos: { transient_error: 0.1, slow_response_delay: '3s', throttle_status: 429 },
      }),
    );
    assert.equal(options.backfillMs, 2 * 86_400_000);
    assert.equal(options.retentionMs, 14 * 86_400_000);
    assert.equal(options.chaos?.transientError, 0.1);
    assert.equal(options.chaos?.slowResponseMs, 3000);
    assert.equal(options.chaos?.throttleStatus, 429);
  });

  it('names the bad key', () => {
    const bad = emulatorSchema.safeParse({ chaos: { transient_error: 2 } });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error?.issues[0]?.path, ['chaos', 'transient_error']);
    assert.equal(emulatorSchema.safeParse({ chaos: { typo: 1 } }).success, false);
    assert.equal(emulatorSchema.safeParse({ backfill: 'soon' }).success, false);
  });
});
