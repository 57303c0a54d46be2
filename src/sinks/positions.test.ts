import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareSinkPositions } from './positions.ts';

test('positions order by generation, then size', () => {
  assert.ok(compareSinkPositions('100', '20') > 0);
  assert.ok(compareSinkPositions('2:10', '1:900') > 0);
  assert.ok(compareSinkPositions('3:10', '3:20') < 0);
  assert.equal(compareSinkPositions('5', '5'), 0);
  assert.equal(compareSinkPositions('garbage', '5'), 0);
});
